import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { EventBus, type AnyEvent } from '../src/events/event-bus';
import { userWithAccount } from './support/fixtures';

/** The bus as a carrier of any payload: these tests make up their own events. */
type AnyEvents = Record<string, unknown>;

const waitFor = async (check: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('the event bus across two processes sharing one database', () => {
  let prismaA: Db;
  let prismaB: Db;
  let busA: EventBus<AnyEvents>;
  let busB: EventBus<AnyEvents>;
  beforeAll(async () => {
    const url = inject('databaseUrl');
    prismaA = createPrismaClient(url, 2);
    prismaB = createPrismaClient(url, 2);
    busA = await EventBus.start<AnyEvents>(prismaA, url);
    busB = await EventBus.start<AnyEvents>(prismaB, url);
  });
  afterAll(async () => {
    await busA.close();
    await busB.close();
    await prismaA.$disconnect();
    await prismaB.$disconnect();
  });

  it('delivers each event once to every process, in order', async () => {
    const { user } = await userWithAccount(prismaA);
    const seenA: AnyEvent[] = [];
    const seenB: AnyEvent[] = [];
    const offA = busA.subscribe((e) => e.userId === user.id && seenA.push(e));
    const offB = busB.subscribe((e) => e.userId === user.id && seenB.push(e));
    await busA.publish(user.id, 'message.new', { n: 1 });
    await busB.publish(user.id, 'message.new', { n: 2 });
    await busA.publish(user.id, 'account.status', { status: 'ok' });
    await waitFor(() => seenA.length === 3 && seenB.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenA.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }, { status: 'ok' }]);
    expect(seenB.map((e) => e.id)).toEqual(seenA.map((e) => e.id));
    offA();
    offB();
  });

  it('delivers a batch published at once in order, each event as the publisher made it', async () => {
    const { user } = await userWithAccount(prismaA);
    const seen: AnyEvent[] = [];
    const off = busB.subscribe((e) => e.userId === user.id && seen.push(e));
    const payloads = [1, 2, 3, 4, 5].map((n) => ({ n, subject: `Message ${n} — naïve “quotes”` }));
    const published = await busA.publishMany(user.id, 'message.new', payloads);
    await waitFor(() => seen.length === 5);
    expect(published.map((e) => e.payload)).toEqual(payloads);
    expect(seen).toEqual(published);
    expect(published[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    off();
  });

  it('carries events too large for a NOTIFY payload', async () => {
    const { user } = await userWithAccount(prismaA);
    const seen: AnyEvent[] = [];
    const off = busB.subscribe((e) => e.userId === user.id && seen.push(e));
    const big = { text: 'x'.repeat(20_000) };
    await busA.publish(user.id, 'message.new', big);
    await waitFor(() => seen.length === 1);
    expect(seen[0]!.payload).toEqual(big);
    off();
  });

  it('gives a reconnecting client everything after the last id it saw, and only its own', async () => {
    const { user } = await userWithAccount(prismaA);
    const other = await userWithAccount(prismaA);
    const first = await busA.publish(user.id, 'message.new', { n: 1 });
    await busA.publish(other.user.id, 'message.new', { n: 'not yours' });
    await busA.publish(user.id, 'message.new', { n: 2 });
    await busA.publish(user.id, 'message.new', { n: 3 });
    const missed = await busB.since(user.id, first.id);
    expect(missed.map((e) => e.payload)).toEqual([{ n: 2 }, { n: 3 }]);
  });
});

describe('the event bus on the embedded database (no cross-process NOTIFY)', () => {
  it('delivers events to the subscribers of its own process', async () => {
    const prisma = createPrismaClient(inject('databaseUrl'), 2);
    const bus = await EventBus.start<AnyEvents>(prisma);
    try {
      const { user } = await userWithAccount(prisma);
      const seen: AnyEvent[] = [];
      bus.subscribe((e) => e.userId === user.id && seen.push(e));
      const published = await bus.publish(user.id, 'account.status', { status: 'ok' });
      expect(seen).toEqual([published]);
      expect(await bus.since(user.id, '0')).toEqual([published]);
    } finally {
      await bus.close();
      await prisma.$disconnect();
    }
  });
});
