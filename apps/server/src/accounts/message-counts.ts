import type { Db } from '../db/prisma';

export interface MessageCounts {
  messageCount: number;
  unreadCount: number;
}

const NONE: MessageCounts = { messageCount: 0, unreadCount: 0 };

/** Stored and unread messages per account, the trash left out. */
export async function messageCounts(
  prisma: Db,
  accountIds: string[],
): Promise<(accountId: string) => MessageCounts> {
  if (accountIds.length === 0) return () => NONE;
  const inTheseAccounts = { accountId: { in: accountIds }, trashedAt: null };
  const [all, unread] = await Promise.all([
    prisma.message.groupBy({ by: ['accountId'], where: inTheseAccounts, _count: { _all: true } }),
    prisma.message.groupBy({
      by: ['accountId'],
      where: { ...inTheseAccounts, seen: false },
      _count: { _all: true },
    }),
  ]);
  const totals = new Map(all.map((row) => [row.accountId, row._count._all]));
  const unseen = new Map(unread.map((row) => [row.accountId, row._count._all]));
  return (accountId) => ({
    messageCount: totals.get(accountId) ?? 0,
    unreadCount: unseen.get(accountId) ?? 0,
  });
}
