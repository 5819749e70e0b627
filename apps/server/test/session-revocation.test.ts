import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TRUST_MS } from '../src/users/session-cache';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

// Sessions are trusted for a moment once looked up: every way a session ends must still refuse
// its next request. Two processes share one database, as behind a load balancer.
let database: { name: string; url: string };
let first: Awaited<ReturnType<typeof testApp>>;
let second: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_revocation');
  [first, second] = await Promise.all([
    testApp({ databaseUrl: database.url }),
    testApp({ databaseUrl: database.url }),
  ]);
  await Promise.all([first.app.ready(), second.app.ready()]);
  admin = new ApiClient(first.app);
  await admin.signUp('root@example.test');
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  if (database) await dropDatabase(database.name);
});

const email = () => `someone-${randomBytes(4).toString('hex')}@example.test`;

/** GET `url` with a cookie header as a browser would send it, on one process. */
async function status(on: typeof first, cookie: string, url = '/api/auth/me'): Promise<number> {
  return (await on.app.inject({ method: 'GET', url, headers: { cookie } })).statusCode;
}

async function statusWithin(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describe('a session that ends', () => {
  it('is refused at once when signed out', async () => {
    const browser = new ApiClient(first.app);
    await browser.signUp(email());
    const cookie = browser.cookieHeader;
    expect(await status(first, cookie)).toBe(200);
    expect((await browser.post('/api/auth/logout')).statusCode).toBe(204);
    expect(await status(first, cookie)).toBe(401);
  });

  it('is refused at once, in every process, when an admin signs the user out', async () => {
    const victim = new ApiClient(first.app);
    const { id } = await victim.signUp(email());
    const cookie = victim.cookieHeader;
    expect(await status(first, cookie)).toBe(200);
    expect(await status(second, cookie)).toBe(200);
    expect((await admin.post(`/api/admin/users/${id}/sign-out`)).statusCode).toBe(204);
    expect(await status(first, cookie)).toBe(401);
    // The other process hears it on the event bus rather than waiting out its trust.
    const took = await statusWithin(
      SESSION_TRUST_MS,
      async () => (await status(second, cookie)) === 401,
    );
    expect(took).toBeLessThan(SESSION_TRUST_MS / 2);
  });

  it('is refused at once when an admin disables the user', async () => {
    const victim = new ApiClient(first.app);
    const { id } = await victim.signUp(email());
    const cookie = victim.cookieHeader;
    expect(await status(first, cookie)).toBe(200);
    expect((await admin.patch(`/api/admin/users/${id}`, { disabled: true })).statusCode).toBe(200);
    expect(await status(first, cookie)).toBe(401);
  });

  it('loses admin rights at once when demoted', async () => {
    const address = email();
    const created = await admin.post('/api/admin/users', {
      email: address,
      password: 'a long enough password',
      role: 'admin',
    });
    expect(created.statusCode).toBe(201);
    const deputy = new ApiClient(first.app);
    const login = await deputy.post('/api/auth/login', {
      email: address,
      password: 'a long enough password',
    });
    expect(login.statusCode).toBe(200);
    expect(await status(first, deputy.cookieHeader, '/api/admin/users')).toBe(200);
    const demoted = await admin.patch(`/api/admin/users/${created.json().user.id}`, {
      role: 'user',
    });
    expect(demoted.statusCode).toBe(200);
    expect(await status(first, deputy.cookieHeader, '/api/admin/users')).toBe(403);
  });

  it('is refused at once on other devices when the password changes', async () => {
    const address = email();
    const laptop = new ApiClient(first.app);
    await laptop.signUp(address, 'the first password');
    const phone = new ApiClient(first.app);
    await phone.post('/api/auth/login', { email: address, password: 'the first password' });
    expect(await status(first, phone.cookieHeader)).toBe(200);
    const change = await laptop.post('/api/auth/password', {
      currentPassword: 'the first password',
      newPassword: 'the second password',
    });
    expect(change.statusCode).toBe(204);
    expect(await status(first, phone.cookieHeader)).toBe(401);
    expect(await status(first, laptop.cookieHeader)).toBe(200);
  });

  it('is refused by another process within SESSION_TRUST_MS of a sign-out', async () => {
    const browser = new ApiClient(first.app);
    await browser.signUp(email());
    const cookie = browser.cookieHeader;
    expect(await status(second, cookie)).toBe(200);
    expect((await browser.post('/api/auth/logout')).statusCode).toBe(204);
    await statusWithin(SESSION_TRUST_MS + 500, async () => (await status(second, cookie)) === 401);
  });
});
