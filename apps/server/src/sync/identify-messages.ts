import { createHash } from 'node:crypto';
import { Pop3Error, type Pop3Client } from '@popgate/pop3';

/** A message on the server, named by a key that stays the same across sessions. */
export interface ServerMessage {
  number: number;
  uidl: string;
  /** As listed; null when LIST was not needed because every message was already stored. */
  size: number | null;
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
  stored: ReadonlySet<string> = new Set(),
): Promise<ServerMessage[]> {
  const uids = await readUidls(client);
  if (uids) {
    const counts = new Map<string, number>();
    for (const uid of uids.values()) counts.set(uid, (counts.get(uid) ?? 0) + 1);
    const keyed: Array<{ number: number; uidl: string }> = [];
    for (const [number, uid] of uids) {
      const key =
        (counts.get(uid) ?? 0) > 1 ? `${uid}#${headerDigest(await client.top(number, 0))}` : uid;
      keyed.push({ number, uidl: key });
    }
    if (keyed.every((m) => stored.has(m.uidl))) return keyed.map((m) => ({ ...m, size: null }));
    const sizes = new Map((await client.list()).map((entry) => [entry.number, entry.size]));
    for (const number of sizes.keys()) {
      if (!uids.has(number))
        throw new Pop3Error('PROTOCOL', `The server listed message ${number} without a UIDL`);
    }
    return keyed.map(({ number, uidl }) => {
      const size = sizes.get(number);
      if (size === undefined)
        throw new Pop3Error('PROTOCOL', `The server gave message ${number} a UIDL but no size`);
      return { number, uidl, size };
    });
  }
  const sizes = await client.list();
  if (sizes.length === 0) return [];
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
  return result;
}

async function readUidls(client: Pop3Client): Promise<Map<number, string> | null> {
  // A server without CAPA may still know UIDL: ask, and fall back when it says no.
  if (client.capabilities.capaSupported && !client.capabilities.uidl) return null;
  try {
    return new Map((await client.uidl()).map((entry) => [entry.number, entry.uid]));
  } catch (error) {
    if (!(error instanceof Pop3Error) || error.code !== 'COMMAND_FAILED') throw error;
    // A refused command leaves the session waiting for RSET; nothing is marked yet, so it is harmless.
    await client.rset();
    return null;
  }
}
