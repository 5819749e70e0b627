// `npm test`: every test of the workspace (unit, integration against PostgreSQL and Dovecot,
// browser), after the static checks. Prepares what the tests need first. Arguments go to vitest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, ensureInstalled, root } from './lib/workspace.mjs';

const started = Date.now();
const vitestArgs = process.argv.slice(2);
const step = (name, command, args, env = {}) => {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status === 0;
};

try {
  ensureInstalled();
  ensureBuilt();
  const { ensureSystemPackages } = await import('./lib/system-deps.mjs');
  const { ensurePostgres } = await import('./lib/postgres.mjs');
  ensureSystemPackages();
  process.env.TEST_DATABASE_URL = await ensurePostgres();
} catch (error) {
  console.error(`The tests cannot run: ${error.message}`);
  process.exit(1);
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let ok = true;
if (vitestArgs.length === 0) {
  ok =
    step('Type check', 'npx', ['--yes', 'pnpm@12.4.2', '-r', '--parallel', 'run', 'typecheck']) &&
    ok;
  ok = step('Lint', bin('eslint'), ['--max-warnings=0', '.']) && ok;
  ok = step('Format', bin('prettier'), ['--check', '--log-level=warn', '.']) && ok;
}

const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-test-'));
// Test peers run as other system users (Dovecot's login and auth processes) and must reach
// the files tests create below the temp dir.
fs.chmodSync(resultsDir, 0o755);
const resultsFile = path.join(resultsDir, 'results.json');
const testsOk = step(
  'Tests',
  bin('vitest'),
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    ...vitestArgs,
  ],
  {
    // Browsers leave artifact folders in the temp dir: keep them in ours.
    TMPDIR: resultsDir,
  },
);
ok = testsOk && ok;

let summary = 'no test results were written';
if (fs.existsSync(resultsFile)) {
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  summary = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
  if (results.numTotalTests === 0) ok = false;
}
fs.rmSync(resultsDir, { recursive: true, force: true });
console.log(
  `\nnpm test finished in ${((Date.now() - started) / 1000).toFixed(0)} s${ok ? '' : ' with failures'}`,
);
console.log(summary);
process.exit(ok ? 0 : 1);
