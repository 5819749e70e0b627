// `npm run bench [name…]`: runs bench/<name>/run.ts (all of them by default); each prints its
// own result line with the ratio against the peer it measures in the same run.
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt, ensureInstalled, root, run } from './lib/workspace.mjs';

ensureInstalled();
ensureBuilt();
// The benchmarks run against Dovecot, mpop and PostgreSQL, as the tests do.
const { ensureSystemPackages } = await import('./lib/system-deps.mjs');
const { ensurePostgres } = await import('./lib/postgres.mjs');
ensureSystemPackages();
process.env.TEST_DATABASE_URL = await ensurePostgres();
const benchDir = path.join(root, 'bench');
const all = fs
  .readdirSync(benchDir, { withFileTypes: true })
  .filter(
    (entry) => entry.isDirectory() && fs.existsSync(path.join(benchDir, entry.name, 'run.ts')),
  )
  .map((entry) => entry.name);
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`no benchmark named ${name}; there are: ${all.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n▶ bench/${name}`);
  run(path.join(root, 'node_modules/.bin/tsx'), [path.join(benchDir, name, 'run.ts')]);
}
