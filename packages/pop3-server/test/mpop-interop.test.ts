import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveredBytes, generateCorpus, type Pop3Server } from '../src/index';
import { startServer } from './harness';

const run = promisify(execFile);
const MPOP = '/usr/bin/mpop';

/** mpop stores messages with LF line endings. */
const asStoredByMpop = (body: Buffer) =>
  Buffer.from(deliveredBytes(body).toString('latin1').replaceAll('\r\n', '\n'), 'latin1');

describe.skipIf(!existsSync(MPOP))('a real client (mpop) against the server', () => {
  let home: string;
  const corpus = generateCorpus({ count: 24, seed: 3 });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'popgate-mpop-'));
    for (const sub of ['cur', 'new', 'tmp'])
      await mkdir(join(home, 'Maildir', sub), { recursive: true });
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function fetchAll(server: Pop3Server, extra: string[]): Promise<Buffer[]> {
    const configFile = join(home, 'mpoprc');
    await writeFile(configFile, '', { mode: 0o600 });
    await run(
      MPOP,
      [
        `--file=${configFile}`,
        '--host=127.0.0.1',
        `--port=${server.port}`,
        '--auth=user',
        '--user=user',
        '--passwordeval=echo secret',
        `--delivery=maildir,${join(home, 'Maildir')}`,
        `--uidls-file=${join(home, 'uidls')}`,
        '--received-header=off',
        '--only-new=off',
        '--quiet',
        ...extra,
      ],
      { env: { ...process.env, HOME: home } },
    );
    const names = (await readdir(join(home, 'Maildir', 'new'))).sort();
    return Promise.all(names.map((name) => readFile(join(home, 'Maildir', 'new', name))));
  }

  it('downloads every corpus message intact and keeps them when asked to', async () => {
    const server = await startServer({ mailboxes: { user: corpus } });
    const stored = await fetchAll(server, ['--tls=off', '--keep=on']);
    expect(stored).toEqual(corpus.map((m) => asStoredByMpop(m.body)));
    expect(server.mailbox('user')).toHaveLength(corpus.length);
    expect(server.stats.updates).toBe(0);
  });

  it('deletes them with DELE and QUIT when not keeping', async () => {
    const server = await startServer({ mailboxes: { user: corpus } });
    await fetchAll(server, ['--tls=off', '--keep=off']);
    expect(server.mailbox('user')).toEqual([]);
    expect(server.stats).toMatchObject({ updates: 1, deletedMessages: corpus.length });
  });

  it('upgrades with STLS and trusts the server certificate', async () => {
    const server = await startServer({ stls: true, mailboxes: { user: corpus.slice(0, 3) } });
    const caFile = join(home, 'ca.pem');
    await writeFile(caFile, server.tlsCert?.cert as string);
    const stored = await fetchAll(server, [
      '--tls=on',
      '--tls-starttls=on',
      `--tls-trust-file=${caFile}`,
      '--keep=on',
    ]);
    expect(stored).toHaveLength(3);
    expect(server.stats.commands.map((c) => c.line)).toContain('STLS');
  });

  it('logs in over implicit TLS with SASL CRAM-MD5', async () => {
    const server = await startServer({ security: 'tls', mailboxes: { user: corpus.slice(0, 2) } });
    const caFile = join(home, 'ca.pem');
    await writeFile(caFile, server.tlsCert?.cert as string);
    const stored = await fetchAll(server, [
      '--tls=on',
      '--tls-starttls=off',
      `--tls-trust-file=${caFile}`,
      '--keep=on',
      '--auth=cram-md5',
    ]);
    expect(stored).toHaveLength(2);
    expect(server.stats.commands.map((c) => c.line)).toContain('AUTH CRAM-MD5');
  });
});
