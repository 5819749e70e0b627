import { createHash } from 'node:crypto';
import { Pop3Error, type Pop3Client } from '@popgate/pop3';

/** A message on the server, named by a key that stays the same across sessions. */
export interface ServerMessage {
  number: number;
  uidl: string;
  size: number;
}

const headerDigest = (headers: Buffer) =>
  `digest:${createHash('sha256').update(headers).digest('hex')}`;

/**
 * Lists the maildrop with a stable key per message: its UIDL; for a server without UIDL, a digest
 * of its headers (TOP n 0). Duplicate UIDLs (a broken server) are told apart by that digest too,
 * so two different messages never share a key.
 */
export async function identifyMessages(client: Pop3Client): Promise<ServerMessage[]> {
  const sizes = await client.list();
  if (sizes.length === 0) return [];
  const uids = await readUidls(client);
  if (uids) {
    const counts = new Map<string, number>();
    for (const uid of uids.values()) counts.set(uid, (counts.get(uid) ?? 0) + 1);
    const result: ServerMessage[] = [];
    for (const { number, size } of sizes) {
      const uid = uids.get(number);
      if (uid === undefined)
        throw new Pop3Error('PROTOCOL', `The server listed message ${number} without a UIDL`);
      const key =
        (counts.get(uid) ?? 0) > 1 ? `${uid}#${headerDigest(await client.top(number, 0))}` : uid;
      result.push({ number, uidl: key, size });
    }
    return result;
  }
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
