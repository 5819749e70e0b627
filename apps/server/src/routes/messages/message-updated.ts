import type { FastifyInstance } from 'fastify';

/** Tells the user's other tabs and devices (message.updated) what changed. */
export async function publishMessageUpdated(
  app: FastifyInstance,
  userId: string,
  change: { ids: string[]; seen?: boolean; flagged?: boolean; trashed?: boolean },
): Promise<void> {
  if (change.ids.length === 0) return;
  await app.events.publish(userId, 'message.updated', change);
}
