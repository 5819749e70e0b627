import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import pg from 'pg';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { generateCorpus } from '@popgate/pop3-server';
import { fetchWithMpop } from '../pop3-fetch/fetch-with-mpop';
import type { FetchTarget } from '../pop3-fetch/fetch-with-popgate';
import { inAlternatingOrder, inRotatingOrder, median, timed } from '../shared/rounds';
import { databaseCpuSeconds } from './database-cpu';
import { storeRawBytesOnly } from './raw-bytes-floor';
import { measurePeakRss } from './measure-peak-rss';
import { PopgateSync } from './popgate-sync';
import { createSyncDatabase } from './sync-database';

const ROUNDS = Number(process.env.SYNC_BENCH_ROUNDS ?? 5);
const POLL_ROUNDS = Number(process.env.SYNC_BENCH_POLL_ROUNDS ?? 15);
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

  // Initial sync: an empty database against mpop with an empty maildir, and the raw-bytes floor.
  // Round 0 warms up (Popgate's code is compiled on first use, PostgreSQL makes its WAL files)
  // and is printed but not counted.
  const initial = targetOf(dovecot, 'initial');
  const floorPool = new pg.Pool({ connectionString: database.url, max: 4 });
  const ours: number[] = [];
  const theirs: number[] = [];
  const floors: number[] = [];
  const nodeCpu: number[] = [];
  const databaseCpu: number[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const mpopDir = join(workDir, `initial-${round}`);
      await mkdir(mpopDir);
      let accountId = '';
      let cpu = { node: 0, database: null as number | null };
      const [synced, floor, fetched] = await inRotatingOrder(round + 1, [
        async () => {
          await database.empty();
          accountId = await popgate.link(initial);
          const nodeBefore = process.cpuUsage();
          const databaseBefore = databaseCpuSeconds(database.name);
          const run = await timed(() => popgate.sync(accountId).then((r) => r.newMessages));
          const nodeUsed = process.cpuUsage(nodeBefore);
          const databaseAfter = databaseCpuSeconds(database.name);
          cpu = {
            node: (nodeUsed.user + nodeUsed.system) / 1e6,
            database:
              databaseBefore === null || databaseAfter === null
                ? null
                : databaseAfter - databaseBefore,
          };
          const stored = await popgate.prisma.message.count({ where: { accountId } });
          if (stored !== run.value) throw new Error(`popgate stored ${stored} of ${run.value}`);
          return run;
        },
        async () => {
          await database.empty();
          return timed(() => storeRawBytesOnly(floorPool, initial));
        },
        () => timed(() => fetchWithMpop(initial, mpopDir)),
      ]);
      if (synced!.value !== MESSAGES || floor!.value !== MESSAGES || fetched!.value !== MESSAGES) {
        throw new Error(
          `counts differ: popgate ${synced!.value}, floor ${floor!.value}, mpop ${fetched!.value}, mailbox ${MESSAGES}`,
        );
      }
      const cpuText =
        `cpu: node ${cpu.node.toFixed(2)} s` +
        (cpu.database === null ? '' : `, PostgreSQL ${cpu.database.toFixed(2)} s`);
      console.log(
        `initial sync, ${round === 0 ? 'warm-up' : `round ${round}`}: popgate ${synced!.seconds.toFixed(2)} s ` +
          `(${cpuText}), mpop ${fetched!.seconds.toFixed(2)} s, raw-bytes floor ${floor!.seconds.toFixed(2)} s`,
      );
      await rm(mpopDir, { recursive: true, force: true });
      if (round === 0) continue;
      ours.push(synced!.seconds);
      theirs.push(fetched!.seconds);
      floors.push(floor!.seconds);
      nodeCpu.push(cpu.node);
      if (cpu.database !== null) databaseCpu.push(cpu.database);
    }
  } finally {
    await floorPool.end();
  }
  report(`initial sync of ${MESSAGES} messages`, ours, theirs, INITIAL_TARGET);
  console.log(
    `  raw-bytes floor (download, raw bytes into PostgreSQL, nothing else): ${median(floors).toFixed(3)} s, ` +
      `${(median(floors) / median(theirs)).toFixed(2)} × mpop; popgate ${(median(ours) / median(floors)).toFixed(2)} × the floor`,
  );
  console.log(
    `  popgate's CPU per sync (median): node ${median(nodeCpu).toFixed(2)} s` +
      (databaseCpu.length > 0 ? `, PostgreSQL ${median(databaseCpu).toFixed(2)} s` : '') +
      ` (${cpus().length} cores)`,
  );

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
  for (let round = 1; round <= POLL_ROUNDS; round++) {
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
