import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = path.resolve(serverDir, '../..');
export const mainJs = path.join(serverDir, 'dist', 'main.js');

/** Bundles the server exactly as `npm start` runs it. */
export function buildServer(): void {
  const result = spawnSync(process.execPath, ['build.mjs'], { cwd: serverDir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`server build failed: ${result.stderr}`);
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const children = new Set<ChildProcess>();
// A failing test must not leave a Popgate running after the test process is gone.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts dist/main.js on a random port and resolves once it prints its URL. */
export function startServer(env: Record<string, string>): Promise<RunningServer> {
  return startProcess(process.execPath, [mainJs], env);
}

/** Starts Popgate the README's way, `npm start` from the repository's root. */
export function startWithNpm(env: Record<string, string>): Promise<RunningServer> {
  return startProcess('npm', ['start', '--silent'], env, repoRoot);
}

/**
 * Starts dist/main.js on a pseudo-terminal (util-linux `script`), as a person running
 * `npm start` in a terminal sees it; the output is the terminal's, colours included.
 */
export function startOnTerminal(env: Record<string, string>): Promise<RunningServer> {
  return startProcess(
    'script',
    ['-q', '-e', '-f', '-c', `"${process.execPath}" dist/main.js`, '/dev/null'],
    env,
  );
}

function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd = serverDir,
): Promise<RunningServer> {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Popgate is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          async stop(signal = 'SIGTERM') {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** Runs dist/main.js expecting it to exit; returns its code and output. */
export function runServerToExit(env: Record<string, string>): {
  code: number | null;
  output: string;
} {
  const result = spawnSync(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, output: result.stdout + result.stderr };
}
