import type { Db } from '../db/prisma';

/** The UIDLs of an account's stored messages, and which of them Popgate believes on the server. */
export interface StoredUidls {
  all: Set<string>;
  onServer: string[];
  /** DELE was sent for these; the QUIT that applies it may not have been answered. */
  deletePending: string[];
}

/**
 * Reads them as one row of three lists rather than a row per message, so that polling an unchanged
 * mailbox of ten thousand costs one small answer. UIDLs never hold white space (the client reads
 * them as one token, and header digests are hex), so a line break can separate them.
 */
export async function readStoredUidls(prisma: Db, accountId: string): Promise<StoredUidls> {
  const [row] = await prisma.$queryRaw<
    Array<{ all: string | null; onServer: string | null; deletePending: string | null }>
  >`
    SELECT string_agg(uidl, E'\\n') AS "all",
           string_agg(uidl, E'\\n') FILTER (WHERE "serverState" = 'on_server') AS "onServer",
           string_agg(uidl, E'\\n') FILTER (WHERE "serverState" = 'delete_pending') AS "deletePending"
      FROM messages
     WHERE "accountId" = ${accountId}::uuid`;
  const lines = (text: string | null | undefined) => (text ? text.split('\n') : []);
  return {
    all: new Set(lines(row?.all)),
    onServer: lines(row?.onServer),
    deletePending: lines(row?.deletePending),
  };
}
