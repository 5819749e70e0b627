import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../src/events/event-bus';
import {
  EventStream,
  type StreamHistory,
  type StreamSink,
} from '../src/routes/events/event-stream';

const event = (id: number): AnyEvent => ({
  id: String(id),
  userId: 'u',
  type: 'message.new',
  payload: { n: id },
  createdAt: new Date(0).toISOString(),
});

/** A sink that records what is sent, with a settable backlog. */
function sink() {
  const sent: Array<{ id?: string; type: string; lastEventId?: string | null }> = [];
  const target: StreamSink & { sent: typeof sent; bufferedAmount: number } = {
    open: true,
    bufferedAmount: 0,
    send: (text) => sent.push(JSON.parse(text)),
    sent,
  };
  return target;
}

/** Stored events 1..stored; `since` waits for `release` so live events can arrive meanwhile. */
function history(stored: number) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let asked: () => void = () => {};
  const queried = new Promise<void>((resolve) => (asked = resolve));
  const all = Array.from({ length: stored }, (_, i) => event(i + 1));
  const store: StreamHistory = {
    // Sees what is stored when asked (a query's snapshot), answers when released.
    since: async (afterId, limit) => {
      const found = all.filter((e) => Number(e.id) > Number(afterId)).slice(0, limit);
      asked();
      await gate;
      return found;
    },
    latestId: async () => all.at(-1)?.id ?? null,
    reachesBackTo: async (afterId) => all.some((e) => Number(e.id) <= Number(afterId)),
  };
  return {
    store,
    release,
    /** Resolves once the missed events have been asked for. */
    queried,
    add: (e: AnyEvent) => all.push(e),
    /** Housekeeping: the oldest events go. */
    prune: (upTo: number) =>
      all.splice(
        0,
        all.findIndex((e) => Number(e.id) > upTo),
      ),
  };
}

/** The same history, counting how often the missed events are read. */
function countingReads(store: StreamHistory) {
  let reads = 0;
  const counted: StreamHistory = {
    ...store,
    since: (afterId, limit) => {
      reads += 1;
      return store.since(afterId, limit);
    },
  };
  return { counted, reads: () => reads };
}

const limits = { maxReplay: 100, maxBufferedBytes: 1000 };
const ids = (out: ReturnType<typeof sink>) => out.sent.map((m) => m.id ?? m.type);

describe('an event stream resuming from the last event a client saw', () => {
  it('sends the missed events, then those that arrived meanwhile, each once and in order', async () => {
    const out = sink();
    const stored = history(5);
    const stream = new EventStream(out, stored.store, limits);
    const resumed = stream.resume('2');
    // Announced while the missed ones are read: 5 is both stored and live, 6 only live.
    stream.push(event(5));
    await stored.queried;
    stored.add(event(6));
    stream.push(event(6));
    expect(out.sent).toEqual([]);
    stored.release();
    await resumed;
    stream.push(event(7));
    stream.push(event(6));
    expect(ids(out)).toEqual(['3', '4', '5', 'ready', '6', '7']);
    expect(out.sent.find((m) => m.type === 'ready')).toEqual({ type: 'ready', lastEventId: '5' });
  });

  it('starts from now when the client has seen nothing, saying where now is', async () => {
    const out = sink();
    const stored = history(4);
    const stream = new EventStream(out, stored.store, limits);
    await stream.resume(null);
    stream.push(event(5));
    expect(out.sent).toEqual([
      { type: 'ready', lastEventId: '4' },
      { id: '5', type: 'message.new', payload: { n: 5 } },
    ]);
  });

  it('asks a client too far behind to reload, then sends only newer events', async () => {
    const out = sink();
    const stored = history(20);
    stored.release();
    const stream = new EventStream(out, stored.store, { ...limits, maxReplay: 10 });
    await stream.resume('1');
    stream.push(event(21));
    expect(ids(out)).toEqual(['resync', '21']);
    expect(out.sent[0]).toEqual({ type: 'resync', lastEventId: '20' });
  });

  it('asks a client to reload when the events after its resume point were cleaned away', async () => {
    const out = sink();
    const stored = history(6);
    stored.release();
    stored.prune(3);
    const stream = new EventStream(out, stored.store, limits);
    await stream.resume('2');
    expect(out.sent).toEqual([{ type: 'resync', lastEventId: '6' }]);
  });

  it('asks for a reload when too much arrives while the missed events are read', async () => {
    const out = sink();
    const stored = history(3);
    const stream = new EventStream(out, stored.store, { ...limits, maxReplay: 4 });
    const resumed = stream.resume('1');
    await stored.queried;
    for (let id = 4; id <= 10; id++) {
      stored.add(event(id));
      stream.push(event(id));
    }
    stored.release();
    await resumed;
    expect(out.sent.at(-1)).toEqual({ type: 'resync', lastEventId: '10' });
    expect(ids(out)).toEqual(['2', '3', 'resync']);
  });

  it('drops events for a reader too slow to keep up, and asks it to reload once it has caught up', async () => {
    const out = sink();
    const stored = history(0);
    stored.release();
    const stream = new EventStream(out, stored.store, limits);
    await stream.resume(null);
    out.bufferedAmount = 5000;
    stored.add(event(1));
    stream.push(event(1));
    stored.add(event(2));
    stream.push(event(2));
    await stream.tick();
    expect(ids(out)).toEqual(['ready']);
    out.bufferedAmount = 0;
    await stream.tick();
    stream.push(event(3));
    expect(out.sent.slice(1)).toEqual([
      { type: 'resync', lastEventId: '2' },
      { id: '3', type: 'message.new', payload: { n: 3 } },
    ]);
  });

  it('reads the history at most twice however many resumes arrive while one is read', async () => {
    const stored = history(3);
    const { counted, reads } = countingReads(stored.store);
    const out = sink();
    const stream = new EventStream(out, counted, limits);
    const resumes = Array.from({ length: 100_000 }, () => stream.resume('1'));
    stored.release();
    await Promise.all(resumes);
    expect(reads()).toBeLessThanOrEqual(2);
    expect(ids(out)).toEqual(['2', '3', 'ready']);
  });

  it('does no more work once closed: waiting resumes and live events are dropped', async () => {
    const stored = history(3);
    const { counted, reads } = countingReads(stored.store);
    const out = sink();
    const stream = new EventStream(out, counted, limits);
    const first = stream.resume('1');
    await stored.queried;
    const waiting = stream.resume('2');
    stream.close();
    stream.push(event(4));
    stored.release();
    await Promise.all([first, waiting]);
    expect(reads()).toBe(1);
    await stream.resume('1');
    expect(reads()).toBe(1);
  });
});
