import { poolOf, type Db } from '../db/prisma';

/** The UIDLs of an account's stored messages, and which of them Popgate believes on the server. */
export interface StoredUidls {
  all: Set<string>;
  onServer: string[];
  /** DELE was sent for these; the QUIT that applies it may not have been answered. */
  deletePending: string[];
}

/**
 * Reads them as one row rather than a row per message, so that polling an unchanged mailbox of
 * ten thousand costs one small answer: every UIDL once, and the state of those that are not
 * simply on the server (usually none, or those long deleted). UIDLs never hold white space (the
 * client reads them as one token, and header digests are hex), so a space and a line break can
 * separate them. Through node-postgres directly: Prisma took three times as long over the answer.
 */
export async function readStoredUidls(prisma: Db, accountId: string): Promise<StoredUidls> {
  const { rows } = await poolOf(prisma).query<{ all: string | null; elsewhere: string | null }>(
    `SELECT string_agg(uidl, E'\\n') AS "all",
            string_agg("serverState"::text || ' ' || uidl, E'\\n')
              FILTER (WHERE "serverState" <> 'on_server') AS "elsewhere"
       FROM messages
      WHERE "accountId" = $1::uuid`,
    [accountId],
  );
  const all = rows[0]?.all ? rows[0].all.split('\n') : [];
  const elsewhere = rows[0]?.elsewhere ? rows[0].elsewhere.split('\n') : [];
  if (elsewhere.length === 0) return { all: new Set(all), onServer: all, deletePending: [] };
  const notOnServer = new Set<string>();
  const deletePending: string[] = [];
  for (const entry of elsewhere) {
    const space = entry.indexOf(' ');
    const uidl = entry.slice(space + 1);
    notOnServer.add(uidl);
    if (entry.slice(0, space) === 'delete_pending') deletePending.push(uidl);
  }
  return {
    all: new Set(all),
    onServer: all.filter((uidl) => !notOnServer.has(uidl)),
    deletePending,
  };
}
