import type { Db } from '../../db/prisma';
import type { EventBus } from '../../events/event-bus';
import type { StreamHistory } from './event-stream';

/** One user's stored events, as an event stream reads them. */
export function userEventHistory(
  prisma: Db,
  events: Pick<EventBus, 'since'>,
  userId: string,
): StreamHistory {
  return {
    since: (afterId, limit) => events.since(userId, afterId, limit),
    latestId: async () => {
      const newest = await prisma.event.findFirst({
        where: { userId },
        orderBy: { id: 'desc' },
        select: { id: true },
      });
      return newest?.id.toString() ?? null;
    },
    // The ids a client resumes from are its own user's; the one it saw last is still stored
    // unless housekeeping removed it together with everything before it.
    reachesBackTo: async (afterId) =>
      (await prisma.event.findFirst({
        where: { userId, id: { lte: BigInt(afterId) } },
        select: { id: true },
      })) !== null,
  };
}
