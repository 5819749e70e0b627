import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { startDovecot } from '@popgate/dovecot-harness';
import { generateCorpus } from '@popgate/pop3-server';
import { inRotatingOrder, median, timed } from '../shared/rounds';
import { databaseCpuSeconds } from './database-cpu';
import { storeRawBytesOnly } from './raw-bytes-floor';
import type * as PopgateSyncModule from './popgate-sync';
import type { PopgateSync } from './popgate-sync';
import type * as SyncDatabaseModule from './sync-database';
import type { SyncDatabase } from './sync-database';

/**
 * The initial sync of two checkouts of Popgate in one run, for a change whose effect is smaller
 * than the difference between two runs on a shared machine. SYNC_COMPARE_BEFORE names another
 * checkout (the tree before the change, dependencies installed, Prisma client generated); this
 * tree is "after". Each syncs the same mailbox from one private Dovecot into a database migrated
 * by its own tree, with its own code; the raw-bytes floor runs in the same rounds. Rounds rotate
 * which goes first; medians reported, each tree also as a multiple of the floor.
 *
 *   SYNC_COMPARE_BEFORE=/path/to/old-checkout npx tsx bench/sync/compare-trees.ts
 */
const BEFORE = process.env.SYNC_COMPARE_BEFORE;
if (!BEFORE) throw new Error('SYNC_COMPARE_BEFORE must name the checkout to compare with');
const ROUNDS = Number(process.env.SYNC_COMPARE_ROUNDS ?? 5);
const MESSAGES = Number(process.env.SYNC_COMPARE_MESSAGES ?? 2_000);
const AFTER = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Tree {
  name: string;
  popgate: PopgateSync;
  database: SyncDatabase;
  seconds: number[];
  nodeCpu: number[];
  databaseCpu: number[];
}

/** The tree's own sync and database modules (each imports the server code of its tree). */
async function openTree(name: string, root: string): Promise<Tree> {
  const load = (file: string) => import(pathToFileURL(join(root, 'bench', 'sync', file)).href);
  const { PopgateSync: Sync } = (await load('popgate-sync.ts')) as typeof PopgateSyncModule;
  const { createSyncDatabase: create } = (await load(
    'sync-database.ts',
  )) as typeof SyncDatabaseModule;
  const database = await create();
  return {
    name,
    popgate: await Sync.open(database.url),
    database,
    seconds: [],
    nodeCpu: [],
    databaseCpu: [],
  };
}

const dovecot = await startDovecot({ users: [{ username: 'initial', password: 'initial-pw' }] });
const trees = [await openTree('before', resolve(BEFORE)), await openTree('after', AFTER)];
const floorDatabase = trees[1]!.database;
const floorPool = new pg.Pool({ connectionString: floorDatabase.url, max: 4 });
const floors: number[] = [];
try {
  for (const message of generateCorpus({ count: MESSAGES, seed: 1 })) {
    await dovecot.deliver('initial', message.body);
  }
  const user = dovecot.users[0]!;
  const target = {
    host: dovecot.host,
    port: dovecot.tlsPort,
    caPem: dovecot.caPem,
    username: user.username,
    password: user.password!,
  };
  console.log(
    `before: ${resolve(BEFORE)}\nafter: ${AFTER}\n${MESSAGES} messages, ${cpus().length} cores`,
  );
  for (let round = 0; round <= ROUNDS; round++) {
    const syncs = trees.map((tree) => async () => {
      await tree.database.empty();
      const accountId = await tree.popgate.link(target);
      const nodeBefore = process.cpuUsage();
      const databaseBefore = databaseCpuSeconds(tree.database.name);
      const run = await timed(() => tree.popgate.sync(accountId));
      const nodeUsed = process.cpuUsage(nodeBefore);
      const databaseAfter = databaseCpuSeconds(tree.database.name);
      if (run.value.newMessages !== MESSAGES) {
        throw new Error(`${tree.name} stored ${run.value.newMessages} of ${MESSAGES}`);
      }
      return {
        seconds: run.seconds,
        node: (nodeUsed.user + nodeUsed.system) / 1e6,
        database:
          databaseBefore === null || databaseAfter === null ? null : databaseAfter - databaseBefore,
      };
    });
    const floor = async () => {
      await floorDatabase.empty();
      const run = await timed(() => storeRawBytesOnly(floorPool, target));
      if (run.value !== MESSAGES) throw new Error(`the floor stored ${run.value} of ${MESSAGES}`);
      return { seconds: run.seconds, node: 0, database: null };
    };
    const results = await inRotatingOrder(round + 1, [...syncs, floor]);
    const floorSeconds = results[trees.length]!.seconds;
    console.log(
      `round ${round === 0 ? '0 (warm-up)' : round}: ` +
        trees
          .map((tree, index) => {
            const r = results[index]!;
            return (
              `${tree.name} ${r.seconds.toFixed(2)} s (node ${r.node.toFixed(2)} s` +
              `${r.database === null ? '' : `, PostgreSQL ${r.database.toFixed(2)} s`})`
            );
          })
          .join(', ') +
        `, raw-bytes floor ${floorSeconds.toFixed(2)} s`,
    );
    if (round === 0) continue;
    floors.push(floorSeconds);
    trees.forEach((tree, index) => {
      const r = results[index]!;
      tree.seconds.push(r.seconds);
      tree.nodeCpu.push(r.node);
      if (r.database !== null) tree.databaseCpu.push(r.database);
    });
  }
  const floor = median(floors);
  console.log(`raw-bytes floor: ${floor.toFixed(3)} s (median of ${floors.length})`);
  for (const tree of trees) {
    const seconds = median(tree.seconds);
    console.log(
      `${tree.name}: initial sync ${seconds.toFixed(3)} s, ${(seconds / floor).toFixed(2)} × the floor; ` +
        `CPU node ${median(tree.nodeCpu).toFixed(2)} s` +
        (tree.databaseCpu.length > 0
          ? `, PostgreSQL ${median(tree.databaseCpu).toFixed(2)} s`
          : ''),
    );
  }
  console.log(
    `after / before: ${(median(trees[1]!.seconds) / median(trees[0]!.seconds)).toFixed(2)}`,
  );
} finally {
  await floorPool.end();
  for (const tree of trees) {
    await tree.popgate.close();
    await tree.database.drop();
  }
  await dovecot.stop();
}
