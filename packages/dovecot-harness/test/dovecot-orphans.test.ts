import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dovecotAvailable } from '../src/index';
import { isAlive } from '../src/process-tree';

const fixture = fileURLToPath(new URL('./fixtures/forgotten-dovecot.ts', import.meta.url));

/** Runs the fixture in its own Node process and resolves with what it reported. */
function runForgetfulProcess(mode: 'exit' | 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reported = new Promise<{ pid: number; dir: string }>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(JSON.parse(output));
    });
    child.once('exit', () => reject(new Error(`fixture exited early: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, reported, exited };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
}

describe.skipIf(!dovecotAvailable())('a Dovecot nobody stopped', () => {
  it('dies and is cleaned up when its owner exits normally', async () => {
    const run = runForgetfulProcess('exit');
    const { pid, dir } = await run.reported;
    await run.exited;
    expect(await eventually(() => !isAlive(pid))).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('dies when its owner is killed with SIGKILL', async () => {
    const run = runForgetfulProcess('wait');
    const { pid, dir } = await run.reported;
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await eventually(() => !isAlive(pid))).toBe(true);
    // Nothing ran in the killed process to remove its folder.
    await rm(dir, { recursive: true, force: true });
  });
});
