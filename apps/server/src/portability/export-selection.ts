import { storedBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { Prisma } from '../generated/prisma/client';
import { notFound } from '../domain-errors';
import { parseSearch } from '../search/query-parser';
import { searchSql } from '../search/search-sql';

/** What to export: everything, or one account, one folder, a search (together they narrow). */
export interface ExportSelection {
  userId: string;
  accountId?: string;
  folder?: 'inbox' | 'sent' | 'trash';
  q?: string;
}

/** One message to write out: its stored raw bytes and what names it. */
export interface ExportedMessage {
  id: string;
  accountLabel: string;
  subject: string;
  fromAddress: string;
  receivedAt: Date;
  raw: Buffer;
}

interface Row {
  id: string;
  accountLabel: string;
  subject: string;
  fromAddress: string;
  receivedAt: Date;
  sha: string;
}

/** Rows read at a time; the bytes are read one message at a time (mail can be megabytes). */
const BATCH = 200;

/** The WHERE of a selection over `messages m` (a search's parse errors reach the caller). */
async function selectionWhere(prisma: Db, selection: ExportSelection): Promise<Prisma.Sql> {
  const where = [
    Prisma.sql`m."userId" = ${selection.userId}::uuid`,
    Prisma.sql`m."sourceSha256" IS NOT NULL`,
  ];
  if (selection.accountId) {
    const owned = await prisma.pop3Account.count({
      where: { id: selection.accountId, userId: selection.userId },
    });
    if (owned === 0) throw notFound('No such account');
    where.push(Prisma.sql`m."accountId" = ${selection.accountId}::uuid`);
  }
  const node = selection.q === undefined ? null : parseSearch(selection.q);
  const search = node ? searchSql(node, selection.userId) : null;
  if (search) where.push(search.where);
  if (selection.folder && !search?.choosesFolder) {
    where.push(
      selection.folder === 'trash'
        ? Prisma.sql`m."trashedAt" IS NOT NULL`
        : Prisma.sql`m."trashedAt" IS NULL`,
    );
    if (selection.folder === 'inbox') where.push(Prisma.sql`m.origin <> 'sent'`);
    if (selection.folder === 'sent') where.push(Prisma.sql`m.origin = 'sent'`);
  }
  return Prisma.join(where, ' AND ');
}

/** How many messages the selection exports (checked as exportedMessages checks it). */
export async function exportedCount(prisma: Db, selection: ExportSelection): Promise<number> {
  const where = await selectionWhere(prisma, selection);
  const [row] = await prisma.$queryRaw<Array<{ count: number }>>`
    SELECT count(*)::int AS count FROM messages m WHERE ${where}`;
  return row!.count;
}

/**
 * The selected messages oldest first (by id, which is time-ordered), one at a time: memory holds
 * one batch of names and one message's bytes, whatever the mailbox's size. Checks the selection
 * (the account is the caller's, the search reads) before the first message is asked for.
 */
export async function exportedMessages(
  prisma: Db,
  selection: ExportSelection,
): Promise<AsyncGenerator<ExportedMessage>> {
  const where = await selectionWhere(prisma, selection);
  return (async function* () {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await prisma.$queryRaw<Row[]>`
        SELECT m.id, a.label AS "accountLabel", m.subject, m."fromAddress", m."receivedAt",
               m."sourceSha256" AS sha
          FROM messages m JOIN pop3_accounts a ON a.id = m."accountId"
         WHERE ${where} AND m.id > ${after}::uuid
         ORDER BY m.id
         LIMIT ${BATCH}`;
      for (const row of rows) {
        const source = await prisma.messageSource.findUnique({
          where: { sha256: row.sha },
          select: { bytes: true },
        });
        // Removed since the batch was read (the message was deleted meanwhile): not exported.
        if (!source) continue;
        yield { ...row, raw: storedBytes(source.bytes) };
      }
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1]!.id;
    }
  })();
}
