import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_UPS_PER_ADDRESS_PER_HOUR } from '../src/routes/auth';
import { SIGN_IN_LIMITS } from '../src/users/sign-in-throttle';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let behindProxy: Awaited<ReturnType<typeof testApp>>;
let lastAddress = 0;

/** A browser of its own at an address of its own. */
const browser = (address = `10.1.${Math.floor(++lastAddress / 250)}.${(lastAddress % 250) + 1}`) =>
  new ApiClient(subject.app, { remoteAddress: address });

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_signin_limits');
  subject = await testApp({ databaseUrl: database.url });
  behindProxy = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_TRUST_PROXY: '127.0.0.1' },
  });
  await browser().signUp('admin@example.test');
});
afterAll(async () => {
  await behindProxy?.close();
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

const login = (client: ApiClient, email: string, password: string) =>
  client.post('/api/auth/login', { email, password });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('sign-in limits', () => {
  it('checks at most five passwords when sixty wrong sign-ins for one user arrive at once from sixty addresses', async () => {
    await browser().signUp('raced@example.test', 'the raced password');
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => login(browser(), 'raced@example.test', `guess ${i}`)),
    );
    const checked = answers.filter((answer) => answer.statusCode === 401).length;
    const refused = answers.filter((answer) => answer.statusCode === 429).length;
    expect(checked + refused).toBe(60);
    expect(checked).toBeLessThanOrEqual(SIGN_IN_LIMITS.freeFailuresPerUser);
    expect(checked).toBeGreaterThan(0);
  });

  it('checks at most twenty passwords when sixty wrong sign-ins from one address arrive at once', async () => {
    const attacker = browser();
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        login(attacker, `nobody${i}@example.test`, 'a wrong password'),
      ),
    );
    const checked = answers.filter((answer) => answer.statusCode === 401).length;
    expect(checked).toBeLessThanOrEqual(SIGN_IN_LIMITS.failuresPerAddress);
    // That address is locked for everyone it tries, for the rest of the window.
    const later = await login(attacker, 'admin@example.test', 'correct horse battery');
    expect(later.statusCode).toBe(429);
    expect(Number(later.headers['retry-after'])).toBeGreaterThan(60);
  });

  it('lets the owner in from a browser they signed in with before, whatever an attacker guessed', async () => {
    const owner = browser();
    await owner.signUp('owner@example.test', 'the owners password');
    expect((await owner.post('/api/auth/logout')).statusCode).toBe(204);
    for (let i = 0; i < 8; i++) await login(browser(), 'owner@example.test', `guess ${i}`);
    const fromElsewhere = await login(browser(), 'owner@example.test', 'the owners password');
    expect(fromElsewhere.statusCode).toBe(429);
    // Slowed down, not locked out: the wait is short, whoever made the guesses.
    expect(Number(fromElsewhere.headers['retry-after'])).toBeLessThanOrEqual(
      SIGN_IN_LIMITS.maxDelaySeconds,
    );
    const fromKnownBrowser = await login(owner, 'owner@example.test', 'the owners password');
    expect(fromKnownBrowser.statusCode).toBe(200);
  });

  it('takes as long to refuse an unknown address as a wrong password for a known one', async () => {
    await browser().signUp('timed@example.test', 'the timed password');
    // Warm both paths first; then alternate, each try from a fresh address.
    await login(browser(), 'timed@example.test', 'warm up');
    await login(browser(), 'nobody-here@example.test', 'warm up');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [knownAnswer, knownMs] = await timed(() =>
        login(browser(), 'timed@example.test', `wrong ${i}`),
      );
      const [unknownAnswer, unknownMs] = await timed(() =>
        login(browser(), `nobody-${i}@example.test`, `wrong ${i}`),
      );
      expect(knownAnswer.statusCode).toBe(401);
      expect(unknownAnswer.statusCode).toBe(401);
      expect(unknownAnswer.json()).toEqual(knownAnswer.json());
      known.push(knownMs);
      unknown.push(unknownMs);
    }
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

describe('sign-up limits', () => {
  it('refuses a hundred sign-ups while sign-up is closed without slowing a real sign-in', async () => {
    const member = browser();
    await member.signUp('member@example.test', 'the members password');
    const [, alone] = await timed(() =>
      login(browser(), 'member@example.test', 'the members password'),
    );
    await subject.db.prisma.policy.update({ where: { id: 1 }, data: { signupOpen: false } });
    try {
      const flood = Array.from({ length: 100 }, (_, i) =>
        browser().post('/api/auth/signup', {
          email: `flood${i}@example.test`,
          password: 'a long enough password',
        }),
      );
      const [answer, during] = await timed(() =>
        login(browser(), 'member@example.test', 'the members password'),
      );
      const refused = await Promise.all(flood);
      expect(answer.statusCode).toBe(200);
      expect(refused.map((response) => response.statusCode)).toEqual(Array(100).fill(403));
      expect(during).toBeLessThan(alone * 4 + 1000);
    } finally {
      await subject.db.prisma.policy.update({ where: { id: 1 }, data: { signupOpen: true } });
    }
  });

  it('limits the sign-ups one address makes in an hour', async () => {
    const address = '10.9.9.9';
    for (let i = 0; i < SIGN_UPS_PER_ADDRESS_PER_HOUR; i++) {
      await browser(address).signUp(`family${i}@example.test`);
    }
    const one = await browser(address).post('/api/auth/signup', {
      email: 'one-too-many@example.test',
      password: 'a long enough password',
    });
    expect(one.statusCode).toBe(429);
    expect(one.json().error.code).toBe('RATE_LIMITED');
    expect(Number(one.headers['retry-after'])).toBeGreaterThan(0);
    expect((await browser().signUp('elsewhere@example.test')).role).toBe('user');
  });
});

describe('CSRF tokens', () => {
  it('refuse a state-changing request to a percent-encoded API path without the token', async () => {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/%61pi/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'admin@example.test', password: 'correct horse battery' }),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CSRF');
    expect(response.cookies.find((cookie) => cookie.name === 'popgate_session')).toBeUndefined();
  });

  it('are renewed at sign-in: the token learned before it is refused after it', async () => {
    const csrf = await subject.app.inject({ url: '/api/auth/csrf' });
    const nonce = csrf.cookies.find((cookie) => cookie.name === 'popgate_csrf')!.value;
    const before = csrf.json<{ token: string }>().token;
    const signIn = await subject.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': before,
        cookie: `popgate_csrf=${nonce}`,
      },
      payload: JSON.stringify({ email: 'admin@example.test', password: 'correct horse battery' }),
    });
    expect(signIn.statusCode).toBe(200);
    const session = signIn.cookies.find((cookie) => cookie.name === 'popgate_session')!.value;
    const renewed = signIn.cookies.find((cookie) => cookie.name === 'popgate_csrf')!.value;
    expect(renewed).not.toBe(nonce);
    for (const cookieNonce of [nonce, renewed]) {
      const stale = await subject.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: {
          'x-csrf-token': before,
          cookie: `popgate_csrf=${cookieNonce}; popgate_session=${session}`,
        },
      });
      expect(stale.statusCode).toBe(403);
    }
  });

  it("are bound to the session: one browser's token does not pass with another's session", async () => {
    const alice = browser();
    await alice.signUp('alice@example.test');
    const mallory = browser();
    await mallory.signUp('mallory@example.test');
    const token = (await mallory.get('/api/auth/csrf')).json<{ token: string }>().token;
    const malloryNonce = /popgate_csrf=([^;]+)/.exec(mallory.cookieHeader)![1];
    const aliceSession = /popgate_session=([^;]+)/.exec(alice.cookieHeader)![1];
    const forged = await subject.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: {
        'x-csrf-token': token,
        cookie: `popgate_csrf=${malloryNonce}; popgate_session=${aliceSession}`,
      },
    });
    expect(forged.statusCode).toBe(403);
    expect((await alice.get('/api/auth/me')).statusCode).toBe(200);
  });
});

describe('behind a trusted proxy', () => {
  const viaProxy = (forwardedProto: string) =>
    behindProxy.app.inject({
      method: 'GET',
      url: '/api/auth/csrf',
      headers: { 'x-forwarded-proto': forwardedProto, 'x-forwarded-for': '203.0.113.7' },
    });

  it('marks cookies Secure when the browser came over HTTPS', async () => {
    const https = await viaProxy('https');
    expect(https.cookies.find((cookie) => cookie.name === 'popgate_csrf')?.secure).toBe(true);
    const http = await viaProxy('http');
    expect(http.cookies.find((cookie) => cookie.name === 'popgate_csrf')?.secure).toBeFalsy();
  });

  it('does not believe X-Forwarded-Proto from anyone when no proxy is trusted', async () => {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/api/auth/csrf',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.cookies.find((cookie) => cookie.name === 'popgate_csrf')?.secure).toBeFalsy();
  });

  it("counts failed sign-ins against the browser's address, not the proxy's", async () => {
    const csrf = await behindProxy.app.inject({
      url: '/api/auth/csrf',
      headers: { 'x-forwarded-for': '198.51.100.23' },
    });
    const nonce = csrf.cookies.find((cookie) => cookie.name === 'popgate_csrf')!.value;
    await behindProxy.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': csrf.json<{ token: string }>().token,
        'x-forwarded-for': '198.51.100.23',
        cookie: `popgate_csrf=${nonce}`,
      },
      payload: JSON.stringify({ email: 'proxied@example.test', password: 'wrong password' }),
    });
    const keys = await behindProxy.db.prisma.loginAttempt.findMany({
      where: { key: { startsWith: 'ip:198.51.100.23' } },
    });
    expect(keys).toHaveLength(1);
  });
});
