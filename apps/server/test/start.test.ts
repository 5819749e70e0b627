import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../src/db/prisma';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessage } from '../src/messages/store';
import { createDatabase, dropDatabase } from './support/databases';
import { buildServer, runServerToExit, startServer, startWithNpm } from './support/server-process';

beforeAll(() => buildServer());

async function getJson(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('starting Popgate with no DATABASE_URL (embedded database)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('becomes ready, keeps its data across restarts, and keeps the secret key private', async () => {
    const first = await startServer({ POPGATE_DATA_DIR: dataDir });
    expect((await getJson(`${first.url}/readyz`)).status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    const keyFile = path.join(dataDir, 'secret.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, 'utf8');

    // Something written while Popgate is stopped is still there after it ran again.
    const pglite = await PGlite.create({ dataDir: path.join(dataDir, 'pg') });
    await pglite.query(
      `INSERT INTO users (id, email, "updatedAt") VALUES (gen_random_uuid(), 'kept@example.test', now())`,
    );
    await pglite.close();

    const second = await startServer({ POPGATE_DATA_DIR: dataDir });
    const ready = await getJson(`${second.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(fs.readFileSync(keyFile, 'utf8')).toBe(key);

    const reopened = await PGlite.create({ dataDir: path.join(dataDir, 'pg') });
    const users = await reopened.query<{ email: string }>('SELECT email FROM users');
    const migrations = await reopened.query('SELECT 1 FROM "_prisma_migrations"');
    await reopened.close();
    expect(users.rows.map((u) => u.email)).toContain('kept@example.test');
    expect(migrations.rows.length).toBe(ready.body.migrations);
  });
});

describe('starting Popgate with DATABASE_URL', () => {
  it('migrates that database, becomes ready and stops cleanly on SIGTERM', async () => {
    const { name, url } = await createDatabase('popgate_test_start');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-start-ext-'));
    try {
      const server = await startServer({ DATABASE_URL: url, POPGATE_DATA_DIR: dataDir });
      expect((await getJson(`${server.url}/readyz`)).status).toBe(200);
      expect((await getJson(`${server.url}/healthz`)).body).toEqual({ status: 'ok' });
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false);
    } finally {
      await dropDatabase(name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('reading mail in the built server', () => {
  it('sanitizes a message in its worker thread, bundled beside main.js', async () => {
    const { name, url } = await createDatabase('popgate_test_start_read');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-start-read-'));
    const prisma = createPrismaClient(url, 1);
    try {
      const server = await startServer({ DATABASE_URL: url, POPGATE_DATA_DIR: dataDir });
      const csrf = await fetch(`${server.url}/api/auth/csrf`);
      let cookie = csrf.headers.get('set-cookie')!.split(';')[0]!;
      const { token } = (await csrf.json()) as { token: string };
      const signUp = await fetch(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'reader@example.test', password: 'a long password' }),
      });
      expect(signUp.status).toBe(201);
      const user = (await signUp.json()) as { id: string };
      cookie = [cookie, ...signUp.headers.getSetCookie().map((c) => c.split(';')[0]!)].join('; ');
      const account = await prisma.pop3Account.create({
        data: {
          userId: user.id,
          label: 'home',
          host: 'pop.example.test',
          port: 995,
          username: 'reader',
          secretCiphertext: new Uint8Array([0]),
          secretKeyId: 'test',
        },
      });
      const raw = Buffer.from(
        'From: a@example.test\r\nSubject: hi\r\nContent-Type: text/html\r\n\r\n' +
          '<p onclick="x()">Hello <b>there</b><img src="http://tracker.example/p.gif"></p>\r\n',
      );
      const { id } = await storeMessage(
        prisma,
        {
          accountId: account.id,
          userId: user.id,
          uidl: 'one',
          listedSize: raw.length,
          raw,
          headersOnly: false,
          receivedAt: new Date(),
        },
        await parseMessage(raw),
      );
      const response = await fetch(`${server.url}/api/messages/${id}`, { headers: { cookie } });
      expect(response.status).toBe(200);
      const message = (await response.json()) as Record<string, unknown>;
      expect(String(message.html).trim()).toBe('<p>Hello <b>there</b></p>');
      expect(message.htmlWithheld).toBeNull();
      expect(message.remoteImagesBlocked).toBe(true);
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await prisma.$disconnect();
      await dropDatabase(name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('stopping Popgate with SIGTERM', () => {
  it('answers the request in flight before it exits', async () => {
    const { name, url } = await createDatabase('popgate_test_stop');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-stop-'));
    try {
      const server = await startServer({ DATABASE_URL: url, POPGATE_DATA_DIR: dataDir });
      const csrf = await fetch(`${server.url}/api/auth/csrf`);
      const cookie = csrf.headers.get('set-cookie')!.split(';')[0]!;
      const { token } = (await csrf.json()) as { token: string };
      // Sign-in verifies an argon2 hash: slow enough to still be running when SIGTERM lands.
      const signUp = fetch(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'late@example.test', password: 'a long password' }),
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      const exit = server.stop('SIGTERM');
      const response = await signUp;
      expect(response.status).toBe(201);
      expect(await exit).toBe(0);
    } finally {
      await dropDatabase(name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
  it('stops the server when `npm start` is sent SIGTERM, though npm does not pass it on', async () => {
    const { name, url } = await createDatabase('popgate_test_npm_stop');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-npm-stop-'));
    try {
      const server = await startWithNpm({ DATABASE_URL: url, POPGATE_DATA_DIR: dataDir });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await server.stop('SIGTERM');
      const deadline = Date.now() + 15_000;
      let stopped = false;
      while (!stopped && Date.now() < deadline) {
        stopped = await fetch(`${server.url}/healthz`).then(
          () => false,
          () => true,
        );
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(stopped).toBe(true);
    } finally {
      await dropDatabase(name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('starting Popgate with bad configuration', () => {
  it('exits with a message naming the variable', () => {
    const result = runServerToExit({ PORT: 'abc' });
    expect(result.code).toBe(78);
    expect(result.output).toContain('Invalid configuration: PORT must be a port number');
  });

  it('exits with a clear message when the database cannot be reached', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-start-bad-'));
    const result = runServerToExit({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
      POPGATE_DATA_DIR: dataDir,
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'Popgate failed to start: Cannot use PostgreSQL at 127.0.0.1:1/none: the connection was refused: is the server running? (ECONNREFUSED). Check DATABASE_URL.',
    );
  });
});
