import { createHash } from 'node:crypto';
import { Pop3Error, type MessageUid, type Pop3Client } from '@popgate/pop3';

/** A message on the server, named by a key that stays the same across sessions. */
export interface ServerMessage {
  number: number;
  uidl: string;
  /** As listed; null when LIST was not needed because every message was already stored. */
  size: number | null;
}

/** The maildrop as listed, and those of its messages that are not stored yet. */
export interface Maildrop {
  messages: ServerMessage[];
  fresh: ServerMessage[];
}

/** What is already stored of the maildrop. */
export interface KnownMessages {
  all: ReadonlySet<string>;
  /** The keys believed on the server, in the order they were stored. */
  onServer: readonly string[];
}

const headerDigest = (headers: Buffer) =>
  `digest:${createHash('sha256').update(headers).digest('hex')}`;

/**
 * Lists the maildrop with a stable key per message: its UIDL; for a server without UIDL, a digest
 * of its headers (TOP n 0). Duplicate UIDLs (a broken server) are told apart by that digest too,
 * so two different messages never share a key. Sizes are only needed for what is to be
 * downloaded: when every key is in `stored`, LIST is not sent (a poll of an unchanged mailbox).
 */
export async function identifyMessages(
  client: Pop3Client,
  stored: KnownMessages = { all: new Set(), onServer: [] },
  /** The UIDL listing when the caller read it already (readUidls); undefined: it is read here. */
  listed?: MessageUid[] | null,
): Promise<Maildrop> {
  const uids = listed === undefined ? await readUidls(client) : listed;
  if (uids && listedAsStored(uids, stored.onServer)) {
    return {
      messages: uids.map(({ number, uid }) => ({ number, uidl: uid, size: null })),
      fresh: [],
    };
  }
  if (uids) {
    const duplicated = listedTwice(uids);
    const keyed: ServerMessage[] = [];
    const fresh: ServerMessage[] = [];
    for (const { number, uid } of uids) {
      const uidl = duplicated.has(uid)
        ? `${uid}#${headerDigest(await client.top(number, 0))}`
        : uid;
      const message = { number, uidl, size: null };
      keyed.push(message);
      if (!stored.all.has(uidl)) fresh.push(message);
    }
    if (fresh.length === 0) return { messages: keyed, fresh };
    const sizes = new Map((await client.list()).map((entry) => [entry.number, entry.size]));
    const numbers = new Set(uids.map((entry) => entry.number));
    for (const number of sizes.keys()) {
      if (!numbers.has(number))
        throw new Pop3Error('PROTOCOL', `The server listed message ${number} without a UIDL`);
    }
    for (const message of keyed) {
      const size = sizes.get(message.number);
      if (size === undefined)
        throw new Pop3Error(
          'PROTOCOL',
          `The server gave message ${message.number} a UIDL but no size`,
        );
      message.size = size;
    }
    return { messages: keyed, fresh };
  }
  const sizes = await client.list();
  if (sizes.length === 0) return { messages: [], fresh: [] };
  if (client.capabilities.capaSupported && !client.capabilities.top) {
    throw new Pop3Error(
      'PROTOCOL',
      'The server supports neither UIDL nor TOP, so messages cannot be told apart between checks',
    );
  }
  const result: ServerMessage[] = [];
  const seen = new Map<string, number>();
  for (const { number, size } of sizes) {
    const digest = headerDigest(await client.top(number, 0));
    // Identical headers (rare): number them in server order so each still gets its own key.
    const copy = (seen.get(digest) ?? 0) + 1;
    seen.set(digest, copy);
    result.push({ number, uidl: copy === 1 ? digest : `${digest}#${copy}`, size });
  }
  return { messages: result, fresh: result.filter((m) => !stored.all.has(m.uidl)) };
}

/**
 * True when the server lists exactly the messages stored as on it, in the order they were stored:
 * the usual poll of an unchanged mailbox, told apart by comparing strings in step, without a set.
 * Stored keys are unique, so the listed UIDLs then are too.
 */
function listedAsStored(uids: readonly MessageUid[], storedInOrder: readonly string[]): boolean {
  if (uids.length !== storedInOrder.length) return false;
  for (let i = 0; i < uids.length; i++) if (uids[i]!.uid !== storedInOrder[i]) return false;
  return true;
}

/** UIDLs the server gave to more than one message (a broken server; usually none). */
function listedTwice(uids: MessageUid[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { uid } of uids) {
    if (seen.has(uid)) twice.add(uid);
    else seen.add(uid);
  }
  return twice;
}

/** The server's UIDL listing; null when it has none (messages are then told apart by TOP). */
export async function readUidls(client: Pop3Client): Promise<MessageUid[] | null> {
  // A server without CAPA may still know UIDL: ask, and fall back when it says no.
  if (client.capabilities.capaSupported && !client.capabilities.uidl) return null;
  try {
    return await client.uidl();
  } catch (error) {
    if (!(error instanceof Pop3Error) || error.code !== 'COMMAND_FAILED') throw error;
    // A refused command leaves the session waiting for RSET; nothing is marked yet, so it is harmless.
    await client.rset();
    return null;
  }
}
