/**
 * Where a page of the message list ended: the last message's arrival (receivedAt) and id (the
 * list's order), and
 * for a search its rank too, as PostgreSQL printed it (so it compares exactly when read back).
 * Opaque to clients: base64url of a small JSON array.
 */
export interface MessageCursor {
  /** The last message's receivedAt. */
  at: Date;
  id: string;
  rank?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Times a cursor may hold: years 1 to 9999, well inside what PostgreSQL's timestamps take. */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
/** A real number as PostgreSQL prints one (ts_rank is never negative, NaN or infinite). */
const RANK = /^\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i;

export function encodeCursor(cursor: MessageCursor): string {
  const parts: unknown[] = [cursor.at.getTime(), cursor.id];
  if (cursor.rank !== undefined) parts.push(cursor.rank);
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The cursor, or null when the text is not one this server wrote. */
export function decodeCursor(text: string): MessageCursor | null {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parts) || parts.length < 2 || parts.length > 3) return null;
  const [time, id, rank] = parts as [unknown, unknown, unknown];
  if (typeof time !== 'number' || !Number.isSafeInteger(time)) return null;
  if (time < EARLIEST || time > LATEST) return null;
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  if (rank !== undefined && (typeof rank !== 'string' || !RANK.test(rank))) return null;
  const at = new Date(time);
  if (Number.isNaN(at.getTime())) return null;
  return rank === undefined ? { at, id } : { at, id, rank };
}

/**
 * Where a page of the list in another order ended (messages/list-order.ts): the order, the last
 * message's key in it (the Date header's epoch milliseconds, the sender key, the size, as text)
 * and its id (the conversation list writes the same for its conversations). Written as
 * [order, key, id], so it never reads as a cursor of the other kind.
 */
export interface SortedCursor {
  sort: 'date' | 'sender' | 'size';
  key: string;
  id: string;
}

/** The longest sender key a cursor carries (list-order.ts cuts the key to it). */
export const SENDER_KEY_LENGTH = 200;
const SORTED_KEY: Record<SortedCursor['sort'], (key: string) => boolean> = {
  date: (key) => /^-?\d{1,15}$/.test(key) && Number(key) >= EARLIEST && Number(key) <= LATEST,
  sender: (key) => [...key].length <= SENDER_KEY_LENGTH,
  // A conversation's size is its messages' together: up to a safe integer, not int's range.
  size: (key) => /^\d{1,15}$/.test(key),
};

export function encodeSortedCursor(cursor: SortedCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');
}

/** The sorted cursor, or null when the text is not one this server wrote. */
export function decodeSortedCursor(text: string): SortedCursor | null {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parts) || parts.length !== 3) return null;
  const [sort, key, id] = parts as [unknown, unknown, unknown];
  if (sort !== 'date' && sort !== 'sender' && sort !== 'size') return null;
  if (typeof key !== 'string' || !SORTED_KEY[sort](key)) return null;
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  return { sort, key, id };
}
