import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDovecot } from '@popgate/dovecot-harness';
import { generateCorpus } from '@popgate/pop3-server';
import { mboxrdEntry } from '../../apps/server/src/portability/mboxrd';
import { PopgateSync } from '../sync/popgate-sync';
import { createSyncDatabase } from '../sync/sync-database';

/*
 * Import against the initial sync on the same corpus: the mailbox Dovecot serves, as an mbox of
 * the very bytes it serves, imported in a process of its own (messages per second, both), then a
 * generated mbox of IMPORT_BENCH_MBOX_MB (1024 by default) imported with its peak RSS.
 */
const MESSAGES = Number(process.env.IMPORT_BENCH_MESSAGES ?? 2_000);
const MBOX_MB = Number(process.env.IMPORT_BENCH_MBOX_MB ?? 1024);
const MiB = 1024 * 1024;
const CHILD = fileURLToPath(new URL('./import-child.ts', import.meta.url));

interface ChildResult {
  imported: number;
  duplicates: number;
  failed: number;
  seconds: number;
  baselineBytes: number;
  peakBytes: number;
}

async function importInChild(databaseUrl: string, file: string): Promise<ChildResult> {
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', CHILD], {
    env: { ...process.env, IMPORT_BENCH_CHILD: JSON.stringify({ databaseUrl, file }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the import process exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as ChildResult;
}

async function writeMbox(file: string, batches: () => Iterable<Buffer[]>): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for (const batch of batches()) {
    for (const raw of batch) {
      for (const part of mboxrdEntry(raw, 'bench@popgate.test', new Date(Date.UTC(2026, 0, 1)))) {
        if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      count++;
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
  return count;
}

const dovecot = await startDovecot({ users: [{ username: 'initial', password: 'initial-pw' }] });
const database = await createSyncDatabase();
const workDir = await mkdtemp(join(tmpdir(), 'import-bench-'));
const popgate = await PopgateSync.open(database.url);
try {
  const corpus = generateCorpus({ count: MESSAGES, seed: 1 }).map((m) => m.body);
  for (const raw of corpus) await dovecot.deliver('initial', raw);
  const served = corpus.map((raw) => dovecot.expectedPop3Bytes(raw));
  const corpusMiB = served.reduce((sum, raw) => sum + raw.length, 0) / MiB;
  console.log(`corpus: ${MESSAGES} messages, ${corpusMiB.toFixed(1)} MiB`);

  // The initial sync, after a warm-up round that is not counted.
  let syncSeconds = 0;
  for (let round = 0; round < 2; round++) {
    await database.empty();
    const accountId = await popgate.link({
      host: dovecot.host,
      port: dovecot.tlsPort,
      caPem: dovecot.caPem,
      username: 'initial',
      password: 'initial-pw',
    });
    const started = performance.now();
    const result = await popgate.sync(accountId);
    syncSeconds = (performance.now() - started) / 1000;
    if (result.newMessages !== MESSAGES) throw new Error(`synced ${result.newMessages}`);
  }

  const small = join(workDir, 'corpus.mbox');
  await writeMbox(small, () => [served]);
  await database.empty();
  const imported = await importInChild(database.url, small);
  if (imported.imported !== MESSAGES) throw new Error(`imported ${JSON.stringify(imported)}`);
  const syncRate = MESSAGES / syncSeconds;
  const importRate = MESSAGES / imported.seconds;
  console.log(
    `same corpus: initial sync ${syncSeconds.toFixed(2)} s (${syncRate.toFixed(0)} messages/s), ` +
      `import ${imported.seconds.toFixed(2)} s (${importRate.toFixed(0)} messages/s), ` +
      `import/sync rate ${(importRate / syncRate).toFixed(2)}`,
  );

  // The large mbox: the generator's batches, with new seeds until the size is reached.
  const large = join(workDir, 'large.mbox');
  let written = 0;
  const count = await writeMbox(large, function* () {
    for (let seed = 100; written < MBOX_MB * MiB; seed++) {
      const batch = generateCorpus({ count: 1000, seed }).map((m) => m.body);
      written += batch.reduce((sum, raw) => sum + raw.length, 0);
      yield batch;
    }
  });
  const size = (await stat(large)).size;
  await database.empty();
  const big = await importInChild(database.url, large);
  console.log(
    `large mbox: ${(size / MiB).toFixed(0)} MiB, ${count} messages: ${big.imported} imported, ` +
      `${big.duplicates} duplicates, ${big.failed} unreadable in ${big.seconds.toFixed(1)} s ` +
      `(${(big.imported / big.seconds).toFixed(0)} messages/s, ${(size / MiB / big.seconds).toFixed(1)} MiB/s); ` +
      `peak RSS ${(big.peakBytes / MiB).toFixed(0)} MiB (baseline ${(big.baselineBytes / MiB).toFixed(0)} MiB)`,
  );
} finally {
  await popgate.close();
  await database.drop();
  await dovecot.stop();
  await rm(workDir, { recursive: true, force: true });
}
