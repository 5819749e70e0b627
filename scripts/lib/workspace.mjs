// What `npm start` and `npm test` do before anything else: install the workspace with the pinned
// pnpm, generate the Prisma client, and build the web app and server when their sources changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const pnpmSpec = rootPackage.packageManager; // e.g. pnpm@12.4.2
const stampDir = path.join(root, 'node_modules', '.cache', 'popgate');

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

export function pnpm(args, options) {
  run('npx', ['--yes', pnpmSpec, ...args], options);
}

/** A fingerprint of files (path, size, mtime): cheap, and changes whenever a file does. */
function fingerprint(entries) {
  const hash = createHash('sha256');
  const visit = (target) => {
    if (!fs.existsSync(target)) return;
    const stat = fs.statSync(target);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(target).sort()) {
        if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
        visit(path.join(target, name));
      }
    } else {
      hash.update(`${path.relative(root, target)}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const entry of entries) visit(path.join(root, entry));
  return hash.digest('hex');
}

/** Runs `work` unless `inputs` are unchanged since it last succeeded and `output` exists. */
function whenChanged(name, inputs, output, work) {
  const stampFile = path.join(stampDir, `${name}.stamp`);
  const current = fingerprint(inputs);
  const outputExists = output === null || fs.existsSync(path.join(root, output));
  if (outputExists && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === current)
    return false;
  work();
  fs.mkdirSync(stampDir, { recursive: true });
  fs.writeFileSync(stampFile, fingerprint(inputs));
  return true;
}

export function ensureInstalled() {
  const lock = ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml'];
  const marker = 'node_modules/.modules.yaml';
  const stampFile = path.join(stampDir, 'install.stamp');
  const current = fingerprint(lock);
  if (
    fs.existsSync(path.join(root, marker)) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === current
  ) {
    return;
  }
  console.log('Installing dependencies…');
  pnpm(['install', '--frozen-lockfile'], { env: { ...process.env, CI: process.env.CI ?? '' } });
  fs.mkdirSync(stampDir, { recursive: true });
  fs.writeFileSync(stampFile, current);
}

export function ensureBuilt() {
  whenChanged(
    'prisma',
    ['prisma/schema.prisma'],
    'apps/server/src/generated/prisma/client.ts',
    () => {
      console.log('Generating the Prisma client…');
      run(process.execPath, ['scripts/prisma-generate.mjs'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    },
  );
  whenChanged('web', ['apps/web', 'packages/contracts/src'], 'apps/web/dist/index.html', () => {
    console.log('Building the web app…');
    pnpm(['--filter', '@popgate/web', 'run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  });
  whenChanged(
    'server',
    ['apps/server/src', 'apps/server/build.mjs', 'packages'],
    'apps/server/dist/main.js',
    () => {
      console.log('Building the server…');
      run(process.execPath, ['build.mjs'], { cwd: path.join(root, 'apps/server') });
    },
  );
}
