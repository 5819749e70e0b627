import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { signalAll } from './orphan-guard';
import { descendantPids, isAlive } from './process-tree';

const SETPRIV = '/usr/bin/setpriv';
let setprivPdeathsig: boolean | undefined;

/** setpriv --pdeathsig makes the kernel end the server even if this process is SIGKILLed. */
export function deathSignalPrefix(): string[] {
  if (setprivPdeathsig === undefined) {
    setprivPdeathsig =
      existsSync(SETPRIV) &&
      spawnSync(SETPRIV, ['--help'], { encoding: 'utf8' }).stdout.includes('--pdeathsig');
  }
  return setprivPdeathsig ? [SETPRIV, '--pdeathsig', 'TERM', '--'] : [];
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function waitUntilGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  signalAll(pids.filter(isAlive), 'SIGKILL');
}

/**
 * The master first, so it can log and tell its children; then whatever it left behind
 * (Dovecot's pop3 processes serving a connected client outlive it), then SIGKILL for
 * stragglers.
 */
export async function shutDown(master: ChildProcess): Promise<void> {
  const pid = master.pid;
  if (pid === undefined) return;
  const family = descendantPids(pid);
  master.kill('SIGTERM');
  if (!(await waitForExit(master, 10_000))) master.kill('SIGKILL');
  signalAll(family, 'SIGTERM');
  await waitUntilGone(family, 3_000);
}
