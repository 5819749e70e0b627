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

export interface MessageVolume {
  messageCount: number;
  /** The sizes the servers listed, summed. */
  bytes: number;
}

/** Message count and stored bytes per account (the trash included), for the accounts given. */
export async function messageVolumes(
  prisma: Db,
  accountIds: string[],
): Promise<Map<string, MessageVolume>> {
  const rows = await prisma.message.groupBy({
    by: ['accountId'],
    where: { accountId: { in: accountIds } },
    _count: { _all: true },
    _sum: { size: true },
  });
  return new Map(
    rows.map((r) => [r.accountId, { messageCount: r._count._all, bytes: r._sum.size ?? 0 }]),
  );
}
