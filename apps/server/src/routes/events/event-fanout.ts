import type { EventBus, PopgateEvent } from '../../events/event-bus';

export type EventListener = (event: PopgateEvent) => void;

/**
 * One subscription to the event bus per process, handing each event to the open connections of
 * the user it belongs to (and nobody else's).
 */
export class EventFanout {
  private readonly byUser = new Map<string, Set<EventListener>>();
  private readonly unsubscribe: () => void;

  constructor(bus: Pick<EventBus, 'subscribe'>) {
    this.unsubscribe = bus.subscribe((event) => {
      for (const listener of this.byUser.get(event.userId) ?? []) listener(event);
    });
  }

  /** Starts handing `userId`'s events to `listener`; call the result to stop. */
  add(userId: string, listener: EventListener): () => void {
    let listeners = this.byUser.get(userId);
    if (!listeners) {
      listeners = new Set();
      this.byUser.set(userId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.byUser.get(userId) === listeners) this.byUser.delete(userId);
    };
  }

  close(): void {
    this.unsubscribe();
    this.byUser.clear();
  }
}
