import { rmSync } from 'node:fs';
import { descendantPids } from './process-tree';

interface Guarded {
  pid: number;
  dir: string;
}

const running = new Set<Guarded>();
let hooked = false;

export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends a Dovecot master and everything below it. The master alone is not enough: pop3
 * processes that serve a connected client outlive it until that client goes away.
 */
function terminateFamily(pid: number, signal: NodeJS.Signals = 'SIGTERM'): number[] {
  const family = [pid, ...descendantPids(pid)];
  signalAll(family, signal);
  return family;
}

/**
 * Remembers a Dovecot master so that it dies with this process even when a test forgets
 * stop(): 'exit' handlers must be synchronous, so this only signals and removes files.
 */
export function guardAgainstOrphan(pid: number, dir: string): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const entry of running) {
        terminateFamily(entry.pid);
        rmSync(entry.dir, { recursive: true, force: true });
      }
    });
  }
  const entry = { pid, dir };
  running.add(entry);
  return () => running.delete(entry);
}
