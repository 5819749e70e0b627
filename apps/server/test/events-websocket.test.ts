import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EVENT_STREAM_CLOSE } from '@popgate/contracts';
import type { EventBus } from '../src/events/event-bus';
import { eventStreamSettings } from '../src/routes/events/stream-settings';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

// Two Popgate processes on one database, each listening like a real server.
let database: { name: string; url: string };
let first: Awaited<ReturnType<typeof testApp>>;
let second: Awaited<ReturnType<typeof testApp>>;
const urls = new Map<unknown, string>();
const sockets: WebSocket[] = [];
const defaults = { ...eventStreamSettings };

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_events');
  [first, second] = await Promise.all([
    testApp({ databaseUrl: database.url }),
    testApp({ databaseUrl: database.url }),
  ]);
  for (const subject of [first, second]) {
    urls.set(subject, await subject.app.listen({ port: 0, host: '127.0.0.1' }));
  }
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  if (database) await dropDatabase(database.name);
});
afterEach(() => {
  Object.assign(eventStreamSettings, defaults);
  for (const socket of sockets.splice(0)) socket.terminate();
});

/** The app's event bus as a carrier of any payload: these tests make up their own events. */
const busOf = (subject: Awaited<ReturnType<typeof testApp>>) =>
  subject.app.events as unknown as EventBus<Record<string, unknown>>;

async function signedIn(on = first) {
  const browser = new ApiClient(on.app);
  const me = await browser.signUp(`events-${randomBytes(4).toString('hex')}@example.test`);
  return { browser, me, cookie: browser.cookieHeader };
}

interface Received {
  id?: string;
  type: string;
  payload?: unknown;
  lastEventId?: string | null;
}

/** A websocket client that records what it receives. */
function connect(
  on: Awaited<ReturnType<typeof testApp>>,
  options: { cookie?: string; origin?: string | null; query?: string } = {},
) {
  const base = urls.get(on)!;
  const origin = options.origin === undefined ? base : options.origin;
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/api/events${options.query ?? ''}`, {
    headers: {
      ...(options.cookie && { cookie: options.cookie }),
      ...(origin !== null && { origin }),
    },
  });
  sockets.push(socket);
  const received: Received[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Received));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const events = () => received.filter((m) => m.id !== undefined);
  return { socket, received, events, opened, closed };
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** Connected and past the replay: live events flow from here on. */
async function ready(client: ReturnType<typeof connect>) {
  await client.opened;
  await waitFor(() => client.received.some((m) => m.type === 'ready' || m.type === 'resync'));
  return client;
}

describe('the events websocket', () => {
  it('refuses anyone not signed in before upgrading', async () => {
    await expect(connect(first).opened).rejects.toThrow('HTTP 401');
    await expect(connect(first, { cookie: 'popgate_session=forged' }).opened).rejects.toThrow(
      'HTTP 401',
    );
  });

  it('refuses a page from another site, or a handshake that does not say where it comes from', async () => {
    const { cookie } = await signedIn();
    for (const origin of ['http://evil.example', 'http://127.0.0.1:1', 'null', null]) {
      await expect(connect(first, { cookie, origin }).opened, String(origin)).rejects.toThrow(
        'HTTP 403',
      );
    }
  });

  it('refuses a malformed resume point', async () => {
    const { cookie } = await signedIn();
    await expect(connect(first, { cookie, query: '?lastEventId=abc' }).opened).rejects.toThrow(
      'HTTP 400',
    );
  });

  it("sends each user their own events as { id, type, payload }, nobody else's", async () => {
    const ada = await signedIn();
    const bob = await signedIn();
    const adaClient = await ready(connect(first, { cookie: ada.cookie }));
    const bobClient = await ready(connect(first, { cookie: bob.cookie }));
    expect(adaClient.received).toEqual([{ type: 'ready', lastEventId: null }]);

    const published = await busOf(first).publish(ada.me.id, 'message.new', { subject: 'hi' });
    await waitFor(() => adaClient.events().length === 1);
    await settle();
    expect(adaClient.events()).toEqual([
      { id: published.id, type: 'message.new', payload: { subject: 'hi' } },
    ]);
    expect(bobClient.events()).toEqual([]);
  });

  it('marks the user as having the app open while connected', async () => {
    const { cookie, me } = await signedIn();
    const activeUntil = async () =>
      (await first.db.prisma.user.findUniqueOrThrow({ where: { id: me.id } })).activeUntil;
    expect(await activeUntil()).toBeNull();
    await ready(connect(first, { cookie }));
    for (let tries = 0; (await activeUntil()) === null && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await activeUntil())!.getTime()).toBeGreaterThan(Date.now() + 60_000);
  });

  it('resumes after a dropped connection without losing or repeating an event', async () => {
    const { cookie, me } = await signedIn();
    const publish = (n: number) => busOf(first).publish(me.id, 'sync.progress', { n });
    const before = await ready(connect(first, { cookie }));
    const seen = await publish(1);
    await waitFor(() => before.events().length === 1);
    before.socket.terminate();

    // While nobody listens, and then while the client comes back, mail keeps arriving.
    await publish(2);
    await publish(3);
    let publishing = true;
    const during = (async () => {
      for (let n = 4; publishing || n < 30; n++) {
        await publish(n);
        if (n > 200) break;
      }
    })();
    const after = connect(first, { cookie, query: `?lastEventId=${seen.id}` });
    await ready(after);
    publishing = false;
    await during;
    const all = await first.app.events.since(me.id, seen.id, 10_000);
    await waitFor(() => after.events().length >= all.length);
    await settle();
    expect(after.events().map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(after.events().map((e) => (e.payload as { n: number }).n)).toEqual(
      all.map((_, i) => i + 2),
    );
  });

  it('resumes from a point the client sends after connecting', async () => {
    const { cookie, me } = await signedIn();
    const missed = [];
    for (let n = 1; n <= 3; n++) {
      missed.push(await busOf(first).publish(me.id, 'sync.progress', { n }));
    }
    const client = await ready(connect(first, { cookie }));
    expect(client.received).toEqual([{ type: 'ready', lastEventId: missed[2]!.id }]);
    client.socket.send(JSON.stringify({ type: 'resume', lastEventId: missed[0]!.id }));
    await waitFor(() => client.events().length === 2);
    // Asking twice sends nothing twice.
    client.socket.send(JSON.stringify({ type: 'resume', lastEventId: missed[0]!.id }));
    client.socket.send('not json');
    await settle();
    expect(client.events().map((e) => e.id)).toEqual([missed[1]!.id, missed[2]!.id]);
  });

  it('cuts off a client flooding it with resume frames, keeping nothing of the flood', async () => {
    const { cookie, me } = await signedIn();
    const seen = await busOf(first).publish(me.id, 'sync.progress', { n: 0 });
    const client = await ready(connect(first, { cookie }));
    const heldBefore = heldAfterGc();
    const frame = JSON.stringify({ type: 'resume', lastEventId: seen.id });
    for (let i = 0; i < 100_000; i++) client.socket.send(frame);
    const closed = await client.closed;
    expect(closed).toEqual({ code: EVENT_STREAM_CLOSE.tooManyFrames, reason: 'Too many messages' });
    // The process kept nothing of the flood (6 MB of frames, 100,000 of them), and others are
    // still served. Measured after a collection: the client's own send queue lives in this
    // process too, and RSS keeps what the allocator once took.
    expect(heldAfterGc() - heldBefore).toBeLessThan(8 * 1024 * 1024);
    expect((await first.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    // A browser's occasional resume is well within the limit.
    const browser = await ready(connect(first, { cookie }));
    for (let i = 0; i < 5; i++) {
      browser.socket.send(frame);
      await settle();
    }
    expect(browser.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('tells a client too far behind to reload instead of replaying the backlog', async () => {
    eventStreamSettings.maxReplay = 5;
    const { cookie, me } = await signedIn();
    const start = await busOf(first).publish(me.id, 'sync.progress', { n: 0 });
    let last = start;
    for (let n = 1; n <= 8; n++) {
      last = await busOf(first).publish(me.id, 'sync.progress', { n });
    }
    const client = await ready(connect(first, { cookie, query: `?lastEventId=${start.id}` }));
    expect(client.received).toEqual([{ type: 'resync', lastEventId: last.id }]);
    const next = await busOf(first).publish(me.id, 'message.new', { n: 9 });
    await waitFor(() => client.events().length === 1);
    expect(client.events()[0]!.id).toBe(next.id);
  });

  it('tells a client back after its missed events were cleaned away to reload', async () => {
    const { cookie, me } = await signedIn();
    const seen = await busOf(first).publish(me.id, 'sync.progress', { n: 1 });
    const kept = await busOf(first).publish(me.id, 'sync.progress', { n: 2 });
    await first.db.prisma.event.delete({ where: { id: BigInt(seen.id) } });
    const client = await ready(connect(first, { cookie, query: `?lastEventId=${seen.id}` }));
    expect(client.received).toEqual([{ type: 'resync', lastEventId: kept.id }]);
  });

  it('closes the stream when the session is signed out or the user is disabled', async () => {
    eventStreamSettings.heartbeatMs = 100;
    const signedOut = await signedIn();
    const client = await ready(connect(first, { cookie: signedOut.cookie }));
    expect((await signedOut.browser.post('/api/auth/logout')).statusCode).toBe(204);
    expect(await client.closed).toEqual({ code: 4401, reason: 'Session ended: sign in again' });

    const disabled = await signedIn();
    const other = await ready(connect(first, { cookie: disabled.cookie }));
    await first.db.prisma.user.update({ where: { id: disabled.me.id }, data: { disabled: true } });
    expect((await other.closed).code).toBe(4401);
  });

  it('keeps a stream whose session stays valid open across heartbeats', async () => {
    eventStreamSettings.heartbeatMs = 50;
    const { cookie, me } = await signedIn();
    const client = await ready(connect(first, { cookie }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    await busOf(first).publish(me.id, 'sync.progress', { still: 'here' });
    await waitFor(() => client.events().length === 1);
  });

  it('delivers each event exactly once through either of two processes sharing the database', async () => {
    const { cookie, me } = await signedIn(first);
    const onFirst = await ready(connect(first, { cookie }));
    const onSecond = await ready(connect(second, { cookie }));
    const a = await busOf(first).publish(me.id, 'message.new', { from: 'first' });
    const b = await busOf(second).publish(me.id, 'message.new', { from: 'second' });
    await waitFor(() => onFirst.events().length === 2 && onSecond.events().length === 2);
    await settle();
    for (const client of [onFirst, onSecond]) {
      expect(client.events()).toEqual([
        { id: a.id, type: 'message.new', payload: { from: 'first' } },
        { id: b.id, type: 'message.new', payload: { from: 'second' } },
      ]);
    }
  });
});

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Memory the process still holds once garbage is collected: the JS heap and its buffers. */
function heldAfterGc(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
