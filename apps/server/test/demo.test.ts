import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, mainJs } from './support/server-process';

const demoJs = path.join(path.dirname(mainJs), 'demo.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-demo-'));

beforeAll(() => buildServer());
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('npm run demo', () => {
  it('shows a newcomer a mailbox full of mail on the embedded database', async () => {
    const child = spawn(process.execPath, [demoJs], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', POPGATE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 90_000;
    while (!/the demo mailbox was checked|failed/.test(output)) {
      if (Date.now() > deadline) throw new Error(`the demo did not check its mailbox:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(output).toContain('sign in as demo@popgate.test / demo-password');
    expect(output).toContain('the demo mailbox was checked: 200 new messages');
    const url = /running at (http:\/\/\S+)/.exec(output)![1]!;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const db = await PGlite.create({ dataDir: path.join(dataDir, 'pg') });
    try {
      const users = await db.query<{ email: string; role: string }>(
        'SELECT email, role FROM users',
      );
      expect(users.rows).toEqual([{ email: 'demo@popgate.test', role: 'admin' }]);
      const messages = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
      expect(messages.rows[0]!.n).toBe(200);
    } finally {
      await db.close();
    }
  });
});
