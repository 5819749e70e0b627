import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The server as committed at HEAD, not as the shared working tree holds it (others' edits in
 * progress): HEAD's files exported to a folder of its own, the installed node_modules linked in
 * (the workspace packages resolve to HEAD's copies), the Prisma client generated from HEAD's
 * schema and dist/main.js built as `npm start` builds it. Returns that folder and the commit.
 */
export function prepareServerAtHead(): { dir: string; commit: string; migrationsDir: string } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  const commit = git('rev-parse', '--short', 'HEAD').trim();
  const dir = join(tmpdir(), `popgate-bench-scale-${commit}`);
  if (!existsSync(join(dir, 'apps/server/dist/main.js'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const paths = [
      'apps/server',
      'packages',
      'prisma',
      'scripts',
      'package.json',
      'prisma.config.ts',
      'tsconfig.base.json',
    ];
    execFileSync('sh', ['-c', `git archive HEAD ${paths.join(' ')} | tar -x -C "${dir}"`], {
      cwd: root,
    });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    // pnpm's links are relative: copied, they point into the export's own packages.
    for (const folder of [
      'apps/server',
      ...readdirSync(join(dir, 'packages')).map((p) => `packages/${p}`),
    ]) {
      if (existsSync(join(root, folder, 'node_modules')))
        cpSync(join(root, folder, 'node_modules'), join(dir, folder, 'node_modules'), {
          recursive: true,
          verbatimSymlinks: true,
        });
    }
    const step = (args: string[], cwd: string) => {
      const done = spawnSync(process.execPath, args, {
        cwd,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (done.status !== 0) throw new Error(`${args.join(' ')} failed in ${cwd}`);
    };
    step(['scripts/prisma-generate.mjs'], dir);
    step(['build.mjs'], join(dir, 'apps/server'));
  }
  return { dir, commit, migrationsDir: join(dir, 'prisma/migrations') };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * One Popgate process as `npm start` runs it (node dist/main.js of `serverDir`), sync scheduler on, settings
 * from the environment: private networks allowed (the load server is on loopback), the given
 * secret key, everything else at its default. Its log goes to a file in a temporary folder.
 */
export async function startPopgateProcess(options: {
  /** A folder from prepareServerAtHead. */
  serverDir: string;
  databaseUrl: string;
  secretKey: Buffer;
  env?: Record<string, string>;
}) {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'popgate-bench-scale-'));
  const logFile = join(dataDir, 'popgate.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(options.serverDir, 'apps/server/dist/main.js')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: options.databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        POPGATE_DATA_DIR: dataDir,
        POPGATE_SECRET_KEY: options.secretKey.toString('hex'),
        POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const origin = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 250) {
    if (child.exitCode !== null)
      throw new Error(`Popgate exited (${child.exitCode}); see ${logFile}`);
    const up = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (waited > 60_000) throw new Error(`Popgate did not answer within 60 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    pid: child.pid!,
    origin,
    logFile,
    metrics: () => fetch(`${origin}/metrics`).then((r) => r.text()),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
