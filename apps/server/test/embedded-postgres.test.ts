import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbeddedDatabaseInUseError,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../src/db/embedded-postgres';

/** Inodes of the TCP sockets this process listens on (Linux: /proc). */
function listeningTcpInodes(): Set<string> {
  const mine = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    const target = (() => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) mine.add(inode);
  }
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // st 0A is LISTEN; the inode is the tenth column.
      if (fields[3] === '0A' && mine.has(fields[9]!)) listening.add(fields[9]!);
    }
  }
  return listening;
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-embedded-auth-'));
  let embedded: EmbeddedPostgres;
  let tcpBefore: Set<string>;

  beforeAll(async () => {
    tcpBefore = listeningTcpInodes();
    embedded = await startEmbeddedPostgres(dataDir);
  }, 60_000);
  afterAll(async () => {
    await embedded?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is not reachable by other local users or over TCP: a Unix socket in a 0700 folder', async () => {
    const socketDir = path.dirname(embedded.socketPath);
    expect(socketDir).toBe(path.join(dataDir, 'run'));
    expect(fs.statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(socketDir).uid).toBe(process.getuid!());
    expect(fs.lstatSync(embedded.socketPath).isSocket()).toBe(true);
    expect(fs.lstatSync(embedded.socketPath).mode & 0o777).toBe(0o600);
    expect(new URL(embedded.url).searchParams.get('host')).toBe(socketDir);
    // No TCP port was opened for it.
    expect([...listeningTcpInodes()].filter((inode) => !tcpBefore.has(inode))).toEqual([]);

    expect(await query(embedded.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it.runIf(process.getuid?.() === 0)('refuses a connection from another local user', async () => {
    // The child runs as "nobody"; it only needs node itself, no file of this checkout.
    const script = `require('net').connect(${JSON.stringify(embedded.socketPath)})
        .on('connect', () => { console.log('CONNECTED'); process.exit(0); })
        .on('error', (e) => { console.log(e.code); process.exit(0); });`;
    const result = spawnSync(process.execPath, ['-e', script], {
      uid: 65534,
      gid: 65534,
      cwd: '/',
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.stdout.trim()).toBe('EACCES');
  });

  it('refuses to open a data folder another process has open', async () => {
    await expect(startEmbeddedPostgres(dataDir)).rejects.toThrow(EmbeddedDatabaseInUseError);
    // The running one is untouched.
    expect(await query(embedded.url, 'SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });
});

describe('the embedded database after a crash', () => {
  it('starts again though the socket of the killed process is still there', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-embedded-stale-'));
    const socketDir = path.join(dataDir, 'run');
    const socketPath = path.join(socketDir, '.s.PGSQL.5432');
    fs.mkdirSync(socketDir, { mode: 0o755 });
    try {
      // A process listening there is killed: its socket file stays behind.
      const child = spawn(process.execPath, [
        '-e',
        `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`,
      ]);
      await new Promise((resolve) => child.stdout.once('data', resolve));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(fs.lstatSync(socketPath).isSocket()).toBe(true);

      const embedded = await startEmbeddedPostgres(dataDir);
      try {
        expect(await query(embedded.url, 'SELECT 3 AS three')).toEqual([{ three: 3 }]);
        // A folder that was too open is tightened.
        expect(fs.statSync(socketDir).mode & 0o777).toBe(0o700);
      } finally {
        await embedded.stop();
      }
      expect(fs.existsSync(socketPath)).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
