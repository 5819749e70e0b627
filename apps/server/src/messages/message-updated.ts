import type { EventPayloadMap } from '@popgate/contracts';
import type { EventBus } from '../events/event-bus';

/** What changed on some of a user's messages: their ids, and the new seen, flagged or trashed. */
export type MessageChange = EventPayloadMap['message.updated'];

/** Tells the user's other tabs and devices (message.updated) what changed. */
export async function publishMessageUpdated(
  events: EventBus,
  userId: string,
  change: MessageChange,
): Promise<void> {
  if (change.ids.length === 0) return;
  await events.publish(userId, 'message.updated', change);
}
