import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FetchTarget } from '../pop3-fetch/fetch-with-popgate';

export interface PeakRss {
  /** Resident set after start-up, just before the sync. */
  baselineBytes: number;
  /** The process's high-water mark (getrusage maxrss) once the sync is done. */
  peakBytes: number;
  messages: number;
  bytes: number;
}

const CHILD = fileURLToPath(new URL('./peak-rss-child.ts', import.meta.url));

/**
 * Syncs the mailbox in a fresh process (this one's high-water mark already holds whole
 * mailboxes), with the same TypeScript loader this process runs under.
 */
export async function measurePeakRss(databaseUrl: string, target: FetchTarget): Promise<PeakRss> {
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', CHILD], {
    env: { ...process.env, SYNC_BENCH_CHILD: JSON.stringify({ databaseUrl, target }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the peak RSS process exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as PeakRss;
}
