import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { descendantPids, isAlive } from '@popgate/dovecot-harness/support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postfixAvailable, startPostfix } from '../src/index';
import { testMessage, transportFor } from './support';

const fixture = fileURLToPath(new URL('./fixtures/forgotten-postfix.ts', import.meta.url));

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
}

/** Opens an SMTP connection and waits for the greeting, so an smtpd process serves it. */
function openSession(port: number) {
  return new Promise<ReturnType<typeof connect>>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe.skipIf(!postfixAvailable())('stopping Postfix', () => {
  let dovecot: Dovecot;

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('stops every process it started and removes its folder', async () => {
    const postfix = await startPostfix({ dovecot, plainListener: true });
    // A delivery and an open session make cleanup, virtual and smtpd processes exist.
    await transportFor(postfix, 'starttls').sendMail({
      envelope: { from: 'sender@client.test', to: ['user@example.test'] },
      raw: testMessage('before stop').raw,
    });
    await postfix.waitForDelivery('user');
    const session = await openSession(postfix.plainPort as number);
    const family = [postfix.pid, ...descendantPids(postfix.pid)];
    expect(family.length).toBeGreaterThanOrEqual(5);

    await postfix.stop();

    expect(family.filter(isAlive)).toEqual([]);
    expect(existsSync(postfix.dir)).toBe(false);
    expect(await postfix.log()).toContain('daemon started');
    await postfix.stop();
    session.destroy();
  });

  it('runs several instances side by side, each with its own queue', async () => {
    const [a, b] = await Promise.all([startPostfix({ dovecot }), startPostfix({ dovecot })]);
    try {
      expect(new Set([a.submissionPort, a.smtpsPort, b.submissionPort, b.smtpsPort]).size).toBe(4);
      expect(a.dir).not.toBe(b.dir);
      expect(a.certSha256).not.toBe(b.certSha256);
      for (const postfix of [a, b]) {
        const { raw, messageId } = testMessage(`through ${postfix.submissionPort}`);
        await transportFor(postfix, 'tls').sendMail({
          envelope: { from: 'sender@client.test', to: ['user@example.test'] },
          raw,
        });
        await postfix.waitForDelivery((message) => message.bytes.includes(messageId));
        expect(await postfix.log()).toContain(`queue active`);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

/** Runs the fixture in its own Node process and resolves with what it reported. */
function runForgetfulProcess(mode: 'exit' | 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reported = new Promise<{ pid: number; dir: string; dovecotDir: string }>(
    (resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(JSON.parse(output));
      });
      child.once('exit', () => reject(new Error(`fixture exited early: ${output}`)));
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, reported, exited };
}

describe.skipIf(!postfixAvailable())('a Postfix nobody stopped', () => {
  it('dies and is cleaned up when its owner exits normally', async () => {
    const run = runForgetfulProcess('exit');
    const { pid, dir } = await run.reported;
    const family = [pid, ...descendantPids(pid)];
    await run.exited;
    expect(await eventually(() => family.every((member) => !isAlive(member)))).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('dies when its owner is killed with SIGKILL', async () => {
    const run = runForgetfulProcess('wait');
    const { pid, dir, dovecotDir } = await run.reported;
    const family = [pid, ...descendantPids(pid)];
    expect(family.length).toBeGreaterThanOrEqual(3);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await eventually(() => family.every((member) => !isAlive(member)))).toBe(true);
    // Nothing ran in the killed process to remove the folders.
    await rm(dir, { recursive: true, force: true });
    await rm(dovecotDir, { recursive: true, force: true });
  });
});
