import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { generateCorpus } from '@popgate/pop3-server';
import { fetchWithMpop } from '../pop3-fetch/fetch-with-mpop';
import type { FetchTarget } from '../pop3-fetch/fetch-with-popgate';
import { inAlternatingOrder, median, timed } from '../shared/rounds';
import { measurePeakRss } from './measure-peak-rss';
import { PopgateSync } from './popgate-sync';
import { createSyncDatabase } from './sync-database';

const ROUNDS = Number(process.env.SYNC_BENCH_ROUNDS ?? 3);
const MESSAGES = Number(process.env.SYNC_BENCH_MESSAGES ?? 2_000);
const POLL_MESSAGES = Number(process.env.SYNC_BENCH_POLL_MESSAGES ?? 10_000);
const INITIAL_TARGET = 1.0;
const POLL_TARGET = 1.2;

const MiB = 1024 * 1024;
const users = [
  { username: 'initial', password: 'initial-pw' },
  { username: 'poll', password: 'poll-pw' },
  { username: 'large', password: 'large-pw' },
];

function targetOf(dovecot: Dovecot, username: string): FetchTarget {
  const user = dovecot.users.find((u) => u.username === username)!;
  return {
    host: dovecot.host,
    port: dovecot.tlsPort,
    caPem: dovecot.caPem,
    username: user.username,
    password: user.password!,
  };
}

async function fill(dovecot: Dovecot, username: string, messages: Buffer[]): Promise<void> {
  for (const raw of messages) await dovecot.deliver(username, raw);
  const total = messages.reduce((sum, raw) => sum + raw.length, 0);
  console.log(`${username}: ${messages.length} messages, ${(total / MiB).toFixed(1)} MiB`);
}

function report(name: string, ours: number[], theirs: number[], target: number): void {
  const popgate = median(ours);
  const mpop = median(theirs);
  const ratio = popgate / mpop;
  console.log(
    `${name}: popgate ${popgate.toFixed(3)} s, mpop ${mpop.toFixed(3)} s, ratio ${ratio.toFixed(2)} ` +
      `(target ≤ ${target.toFixed(1)}: ${ratio <= target ? 'met' : 'missed'})`,
  );
}

const dovecot = await startDovecot({ users });
const database = await createSyncDatabase();
const workDir = await mkdtemp(join(tmpdir(), 'sync-bench-'));
const popgate = await PopgateSync.open(database.url);
try {
  const corpus = (count: number, seed: number, maxTextBytes?: number) =>
    generateCorpus({ count, seed, ...(maxTextBytes ? { sizes: { maxTextBytes } } : {}) }).map(
      (m) => m.body,
    );
  await fill(dovecot, 'initial', corpus(MESSAGES, 1));
  // The poll downloads nothing, so small messages only make the setup quicker.
  await fill(dovecot, 'poll', corpus(POLL_MESSAGES, 2, 2_000));
  await fill(
    dovecot,
    'large',
    generateCorpus({ count: 1, seed: 3, include20MB: true }).map((m) => m.body),
  );

  // Initial sync: an empty account (and an empty database) against mpop with an empty maildir.
  const initial = targetOf(dovecot, 'initial');
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    await database.empty();
    const accountId = await popgate.link(initial);
    const mpopDir = join(workDir, `initial-${round}`);
    await mkdir(mpopDir);
    const [synced, fetched] = await inAlternatingOrder(
      round,
      () => timed(() => popgate.sync(accountId)),
      () => timed(() => fetchWithMpop(initial, mpopDir)),
    );
    const stored = await popgate.prisma.message.count({ where: { accountId } });
    if (
      synced.value.newMessages !== MESSAGES ||
      stored !== MESSAGES ||
      fetched.value !== MESSAGES
    ) {
      throw new Error(
        `counts differ: popgate ${synced.value.newMessages} (${stored} stored), mpop ${fetched.value}, mailbox ${MESSAGES}`,
      );
    }
    ours.push(synced.seconds);
    theirs.push(fetched.seconds);
    console.log(
      `initial sync, round ${round}: popgate ${synced.seconds.toFixed(2)} s, mpop ${fetched.seconds.toFixed(2)} s`,
    );
    await rm(mpopDir, { recursive: true, force: true });
  }
  report(`initial sync of ${MESSAGES} messages`, ours, theirs, INITIAL_TARGET);

  // Unchanged poll: both hold the whole mailbox already and ask only what is new.
  await database.empty();
  const poll = targetOf(dovecot, 'poll');
  const pollAccountId = await popgate.link(poll);
  const mpopPollDir = join(workDir, 'poll');
  await mkdir(mpopPollDir);
  const setup = await timed(() => popgate.sync(pollAccountId));
  const setupMpop = await timed(() => fetchWithMpop(poll, mpopPollDir, { onlyNew: true }));
  console.log(
    `poll mailbox downloaded: popgate ${setup.seconds.toFixed(1)} s, mpop ${setupMpop.seconds.toFixed(1)} s`,
  );
  // A mailbox polled every minute has long been analyzed by autovacuum.
  await popgate.prisma.$executeRawUnsafe('ANALYZE');
  ours.length = 0;
  theirs.length = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const [polled, mpopPolled] = await inAlternatingOrder(
      round,
      () => timed(() => popgate.sync(pollAccountId)),
      () => timed(() => fetchWithMpop(poll, mpopPollDir, { onlyNew: true })),
    );
    if (polled.value.newMessages !== 0 || mpopPolled.value !== POLL_MESSAGES) {
      throw new Error(
        `an unchanged mailbox changed: popgate ${polled.value.newMessages} new, mpop holds ${mpopPolled.value}`,
      );
    }
    ours.push(polled.seconds);
    theirs.push(mpopPolled.seconds);
    console.log(
      `unchanged poll, round ${round}: popgate ${(polled.seconds * 1000).toFixed(0)} ms, mpop ${(mpopPolled.seconds * 1000).toFixed(0)} ms`,
    );
  }
  report(`unchanged poll of ${POLL_MESSAGES} messages`, ours, theirs, POLL_TARGET);

  // Memory: one large message, synced in a process of its own.
  await database.empty();
  const rss = await measurePeakRss(database.url, targetOf(dovecot, 'large'));
  if (rss.messages !== 1) throw new Error(`the large message was not stored (${rss.messages})`);
  console.log(
    `sync of one ${(rss.bytes / MiB).toFixed(1)} MiB message: peak RSS ${(rss.peakBytes / MiB).toFixed(0)} MiB ` +
      `(baseline ${(rss.baselineBytes / MiB).toFixed(0)} MiB, +${((rss.peakBytes - rss.baselineBytes) / MiB).toFixed(0)} MiB)`,
  );
} finally {
  await popgate.close();
  await database.drop();
  await dovecot.stop();
  await rm(workDir, { recursive: true, force: true });
}
