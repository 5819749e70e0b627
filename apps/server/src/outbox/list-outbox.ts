import type { OutboxList } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { outboxRowSelect, toOutboxOut } from './outbox-out';

/** How long sent and failed items stay listed, and how many of them at most. */
const RECENT_DAYS = 7;
const RECENT_LIMIT = 100;

/**
 * The user's outbox, newest first: everything not sent yet (queued, sending, unknown, failed:
 * each waits for the sender or the user) and what was sent or failed in the last days.
 */
export async function listOutbox(prisma: Db, userId: string): Promise<OutboxList> {
  const since = new Date(Date.now() - RECENT_DAYS * 86_400_000);
  const [open, recent] = await Promise.all([
    prisma.outboxItem.findMany({
      where: { userId, status: { in: ['queued', 'sending', 'unknown'] } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: outboxRowSelect,
    }),
    prisma.outboxItem.findMany({
      where: { userId, status: { in: ['sent', 'failed'] }, updatedAt: { gte: since } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: RECENT_LIMIT,
      select: outboxRowSelect,
    }),
  ]);
  const items = [...open, ...recent].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
  );
  return { items: items.map(toOutboxOut) };
}
