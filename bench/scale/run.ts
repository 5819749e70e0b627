// bench/scale: how many accounts Popgate keeps fresh. A POP3 load server (load-server.ts: many
// users on many loopback addresses, every answer 100 ms late, plain or TLS) and real Popgate
// processes (node apps/server/dist/main.js as committed at HEAD, scheduler on, defaults) on a
// fresh database seeded with N accounts; after a warm-up of one interval, a window measures
// polls/s done against needed (accounts / interval), lateness p50/p99 (/metrics), CPU and peak
// RSS of each process, PostgreSQL connections, transactions and tuples written per poll, and that
// no account ever had two sessions at once.
//   npm run bench scale                                  every configuration (about 11 min each)
//   SCALE_BENCH_CONFIGS=10k,10k-tls npm run bench scale  some of them (names below)
//   SCALE_BENCH_SMOKE=1 npm run bench scale              200 accounts, interval 20 s, ~2 minutes
// Other settings: SCALE_BENCH_WARMUP_SECONDS (default: the interval), SCALE_BENCH_WINDOW_SECONDS
// (300; smoke 60), SCALE_BENCH_DELAY_MS (100), SCALE_BENCH_INTERVAL_SECONDS (300; smoke 20).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import { applyMigrations } from '../../apps/server/src/db/migrations';
import {
  allowAnyPort,
  createDatabase,
  dropDatabase,
  serverUrl,
} from '../../apps/server/test/support/databases';
import { DEFAULT_MAILBOX_CLOCK } from './load-mailbox';
import { startLoadServerProcess } from './load-server-process';
import {
  connectionsTo,
  cpuSeconds,
  databaseCounters,
  histogramQuantile,
  metricSum,
  overlappingRuns,
  parseMetrics,
  peakRssMb,
} from './measure';
import { prepareServerAtHead, startPopgateProcess } from './popgate-process';
import { seedAccounts } from './seed';

interface Configuration {
  name: string;
  accounts: number;
  hosts: number;
  processes: number;
  security: 'none' | 'tls';
}

const CONFIGURATIONS: Configuration[] = [
  { name: '10k', accounts: 10_000, hosts: 100, processes: 1, security: 'none' },
  { name: '10k-tls', accounts: 10_000, hosts: 100, processes: 1, security: 'tls' },
  { name: '5k-one-host-x2', accounts: 5_000, hosts: 1, processes: 2, security: 'none' },
  { name: '20k-x2', accounts: 20_000, hosts: 100, processes: 2, security: 'none' },
  { name: '1k', accounts: 1_000, hosts: 100, processes: 1, security: 'none' },
  { name: '5k', accounts: 5_000, hosts: 100, processes: 1, security: 'none' },
];
const SMOKE: Configuration = {
  name: 'smoke',
  accounts: 200,
  hosts: 10,
  processes: 1,
  security: 'none',
};

const smoke = process.env.SCALE_BENCH_SMOKE === '1';
const env = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;
const INTERVAL = env('SCALE_BENCH_INTERVAL_SECONDS', smoke ? 20 : 300);
const WARMUP = env('SCALE_BENCH_WARMUP_SECONDS', INTERVAL);
const WINDOW = env('SCALE_BENCH_WINDOW_SECONDS', smoke ? 60 : 300);
const DELAY_MS = env('SCALE_BENCH_DELAY_MS', 100);
const SAMPLE_MS = 5000;
const PASSWORD = 'load-password';

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/** Loopback addresses 127.0.1.1 on: all of 127/8 answers locally on Linux. */
const loopbackAddresses = (n: number) =>
  Array.from({ length: n }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);

interface Row {
  config: Configuration;
  needed: number;
  done: number;
  loginsPerSecond: number;
  failed: number;
  deferred: number;
  p50: number;
  p99: number;
  backlogEnd: number;
  backlogMax: number;
  cpu: number[];
  rss: number[];
  loadServerCpu: number;
  connectionsMax: number;
  connectionsMean: number;
  xactPerPoll: number;
  writesPerPoll: number;
  scansPerPoll: number;
  overlapPairs: number;
  runs: number;
  loadOverlaps: number;
  loadAverage: string;
}

/** Set by SIGINT/SIGTERM: the configuration running stops and cleans up (processes, database). */
let interrupted: (() => void) | undefined;
const stopped = new Promise<void>((resolve) => (interrupted = resolve));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: stopping`);
    interrupted?.();
  });
}
const wait = (ms: number) =>
  Promise.race([sleep(ms), stopped.then(() => Promise.reject(new Error('interrupted')))]);

async function runConfiguration(config: Configuration): Promise<Row> {
  const database = await createDatabase('popgate_bench_scale');
  const monitor = new pg.Client({ connectionString: serverUrl() });
  const inDatabase = new pg.Client({ connectionString: database.url });
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    await applyMigrations(database.url, server.migrationsDir);
    await allowAnyPort(database.url);
    await monitor.connect();
    await inDatabase.connect();
    // The admin's floor under every interval (60 s by default) would hold the smoke's 20 s back.
    await inDatabase.query(`UPDATE policy SET "minPollSeconds" = $1 WHERE id = 1`, [
      Math.min(60, INTERVAL),
    ]);
    const addresses = loopbackAddresses(config.hosts);
    const cert = config.security === 'tls' ? await generateSelfSignedCert() : undefined;
    const load = await startLoadServerProcess({
      addresses,
      security: config.security,
      ...(cert && { tlsCert: { key: cert.key, cert: cert.cert } }),
      delayMs: DELAY_MS,
      password: PASSWORD,
      clock: { startedAt: Date.now(), ...DEFAULT_MAILBOX_CLOCK },
    });
    cleanup.push(() => load.close());
    const secretKey = randomBytes(32);
    const seedStarted = Date.now();
    await seedAccounts(database.url, {
      accounts: config.accounts,
      addresses,
      port: load.port,
      security: config.security,
      ...(cert && { pinSha256: cert.sha256 }),
      password: PASSWORD,
      secretKey,
      spreadSeconds: INTERVAL,
      storedMessages: DEFAULT_MAILBOX_CLOCK.initial,
    });
    await inDatabase.query(`UPDATE pop3_accounts SET "pollSeconds" = $1`, [INTERVAL]);
    console.log(
      `  ${config.name}: seeded ${config.accounts} accounts on ${config.hosts} host(s) in ${round((Date.now() - seedStarted) / 1000)} s; starting ${config.processes} Popgate process(es)`,
    );
    const popgates: Array<Awaited<ReturnType<typeof startPopgateProcess>>> = [];
    for (let i = 0; i < config.processes; i++) {
      const popgate = await startPopgateProcess({
        serverDir: server.dir,
        databaseUrl: database.url,
        secretKey,
      });
      cleanup.push(() => popgate.stop());
      popgates.push(popgate);
    }
    const scrape = () => Promise.all(popgates.map(async (p) => parseMetrics(await p.metrics())));
    const polled = (pages: Map<string, number>[], outcome: string) =>
      pages.reduce(
        (sum, page) => sum + metricSum(page, 'popgate_sync_polls_total', `outcome="${outcome}"`),
        0,
      );

    for (let waited = 0; waited < WARMUP; waited += 30) {
      await wait(Math.min(30, WARMUP - waited) * 1000);
      const pages = await scrape();
      console.log(
        `  warm-up ${Math.min(WARMUP, waited + 30)}/${WARMUP} s: ${polled(pages, 'ok')} polls ok, ${polled(pages, 'failed')} failed, backlog ${metricSum(pages[0]!, 'popgate_sync_accounts_due')}, load ${loadAverage()}`,
      );
    }

    // Everything counted, at the window's start and end.
    const snapshot = async () => ({
      at: Date.now(),
      pages: await scrape(),
      cpu: popgates.map((p) => cpuSeconds(p.pid)),
      loadCpu: cpuSeconds(load.pid),
      db: await databaseCounters(monitor, database.name),
      scans: await databaseCounters(inDatabase, database.name),
      load: await load.stats(),
    });
    const before = await snapshot();
    const connections: number[] = [];
    const backlog: number[] = [];
    while (Date.now() - before.at < WINDOW * 1000) {
      await wait(Math.min(SAMPLE_MS, WINDOW * 1000 - (Date.now() - before.at)));
      connections.push(await connectionsTo(monitor, database.name));
      backlog.push(
        metricSum(parseMetrics(await popgates[0]!.metrics()), 'popgate_sync_accounts_due'),
      );
    }
    const after = await snapshot();
    const seconds = (after.at - before.at) / 1000;
    const ok = polled(after.pages, 'ok') - polled(before.pages, 'ok');
    const failed = polled(after.pages, 'failed') - polled(before.pages, 'failed');
    const deferred = polled(after.pages, 'deferred') - polled(before.pages, 'deferred');
    const polls = Math.max(1, ok + failed);
    const overlap = await overlappingRuns(inDatabase);
    const row: Row = {
      config,
      needed: config.accounts / INTERVAL,
      done: ok / seconds,
      loginsPerSecond: (after.load.logins - before.load.logins) / seconds,
      failed,
      deferred,
      p50: histogramQuantile(before.pages, after.pages, 'popgate_sync_lateness_seconds', 0.5),
      p99: histogramQuantile(before.pages, after.pages, 'popgate_sync_lateness_seconds', 0.99),
      backlogEnd: backlog.at(-1) ?? 0,
      backlogMax: Math.max(0, ...backlog),
      cpu: popgates.map((_, i) => (100 * (after.cpu[i]! - before.cpu[i]!)) / seconds),
      rss: popgates.map((p) => peakRssMb(p.pid)),
      loadServerCpu: (100 * (after.loadCpu - before.loadCpu)) / seconds,
      connectionsMax: Math.max(0, ...connections),
      connectionsMean: connections.reduce((a, b) => a + b, 0) / Math.max(1, connections.length),
      xactPerPoll: (after.db.xactCommit - before.db.xactCommit) / polls,
      writesPerPoll:
        (after.db.tupInserted +
          after.db.tupUpdated +
          after.db.tupDeleted -
          (before.db.tupInserted + before.db.tupUpdated + before.db.tupDeleted)) /
        polls,
      scansPerPoll: (after.scans.scans - before.scans.scans) / polls,
      overlapPairs: overlap.pairs,
      runs: overlap.runs,
      loadOverlaps: after.load.overlaps,
      loadAverage: loadAverage(),
    };
    if (failed > 0) {
      const codes = [...after.pages[0]!.entries()].filter(([k]) =>
        k.startsWith('popgate_sync_failures_total'),
      );
      console.log(
        `  failures by code (process 1, whole run): ${codes.map(([k, v]) => `${k} ${v}`).join(', ')}`,
      );
      console.log(`  log: ${popgates[0]!.logFile}`);
    }
    return row;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    await monitor.end().catch(() => {});
    await inDatabase.end().catch(() => {});
    await dropDatabase(database.name);
  }
}

const HEADER =
  '| accounts | hosts | processes | security | polls/s needed | polls/s done (POP3 logins/s) | lateness p50 / p99 | backlog end (max) | CPU % per process | peak RSS MB | load server CPU % | PG connections max (mean) | xact / poll | tuples written / poll | table scans / poll | overlaps: sync_runs pairs / POP3 | failed (deferred) | load average |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';

function format(row: Row): string {
  const c = row.config;
  return `| ${c.accounts.toLocaleString('en')} | ${c.hosts} | ${c.processes} | ${c.security === 'tls' ? 'TLS' : 'plain'} | ${round(row.needed)} | ${round(row.done)} (${round(row.loginsPerSecond)}) | ${round(row.p50, 2)} / ${round(row.p99, 2)} s | ${row.backlogEnd} (${row.backlogMax}) | ${row.cpu.map((v) => round(v, 0)).join(' + ')} | ${row.rss.map((v) => round(v, 0)).join(' + ')} | ${round(row.loadServerCpu, 1)} | ${row.connectionsMax} (${round(row.connectionsMean, 0)}) | ${round(row.xactPerPoll)} | ${round(row.writesPerPoll)} | ${round(row.scansPerPoll)} | ${row.overlapPairs} of ${row.runs} runs / ${row.loadOverlaps} | ${row.failed} (${row.deferred}) | ${row.loadAverage} |`;
}

const wanted = process.env.SCALE_BENCH_CONFIGS?.split(',').map((s) => s.trim());
const chosen = smoke
  ? [SMOKE]
  : wanted
    ? wanted.map((name) => {
        const found = CONFIGURATIONS.find((c) => c.name === name);
        if (!found)
          throw new Error(
            `no configuration ${name}: ${CONFIGURATIONS.map((c) => c.name).join(', ')}`,
          );
        return found;
      })
    : CONFIGURATIONS;

const server = prepareServerAtHead();
const { commit } = server;
console.log(
  `bench/scale at ${commit} (the server as committed, built in ${server.dir}): interval ${INTERVAL} s, answers ${DELAY_MS} ms late, warm-up ${WARMUP} s, window ${WINDOW} s; load ${loadAverage()}`,
);
const rows: string[] = [];
for (const config of chosen) {
  console.log(`▶ ${config.name}`);
  const row = format(await runConfiguration(config));
  rows.push(row);
  console.log(HEADER);
  console.log(row);
}
console.log(`\nbench/scale at ${commit}, interval ${INTERVAL} s, window ${WINDOW} s:`);
console.log(HEADER);
for (const row of rows) console.log(row);
console.log(
  'xact / poll: committed transactions of the database (pg_stat_database; pg_stat_statements is not loaded here), /metrics scrapes included; tuples written: inserted + updated + deleted; table scans: seq + index scans started (pg_stat_user_tables).',
);
