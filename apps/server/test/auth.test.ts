import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

// "The first user becomes admin" needs a database with no users: this file has its own.
let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_auth');
  subject = await testApp({ databaseUrl: database.url });
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

const client = () => new ApiClient(subject.app);

describe('users', () => {
  it('makes the first user to sign up an admin and the next ones users', async () => {
    const first = await client().signUp('first@example.test');
    const second = await client().signUp('second@example.test');
    expect(first.role).toBe('admin');
    expect(second.role).toBe('user');
  });

  it('signs in, knows who is signed in, and signs out', async () => {
    await client().signUp('ada@example.test', 'a long enough password');
    const browser = client();
    expect((await browser.get('/api/auth/me')).statusCode).toBe(401);
    const login = await browser.post('/api/auth/login', {
      email: 'ADA@example.test',
      password: 'a long enough password',
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'popgate_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect((await browser.get('/api/auth/me')).json()).toMatchObject({
      email: 'ada@example.test',
      role: 'user',
    });
    expect((await browser.post('/api/auth/logout')).statusCode).toBe(204);
    expect((await browser.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('refuses a wrong password with the same answer as an unknown address', async () => {
    await client().signUp('bob@example.test', 'bobs long password');
    const wrong = await client().post('/api/auth/login', {
      email: 'bob@example.test',
      password: 'nope',
    });
    const unknown = await client().post('/api/auth/login', {
      email: 'nobody@example.test',
      password: 'nope',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('refuses a second user with the same address', async () => {
    await client().signUp('twice@example.test');
    const again = await client().post('/api/auth/signup', {
      email: 'Twice@example.test',
      password: 'another long one',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('EMAIL_TAKEN');
  });

  it('says which field is wrong in a malformed sign-up', async () => {
    const badEmail = await client().post('/api/auth/signup', {
      email: 'not-an-address',
      password: 'long enough pw',
    });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error).toMatchObject({ code: 'VALIDATION' });
    expect(badEmail.json().error.message).toContain('email');
    const short = await client().post('/api/auth/signup', {
      email: 'short@example.test',
      password: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toContain('password');
    const extra = await client().post('/api/auth/signup', {
      email: 'x@example.test',
      password: 'long enough pw',
      role: 'admin',
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.message).toBe('body/role is not a known field');
  });

  it('refuses state-changing requests without the CSRF token', async () => {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'ada@example.test', password: 'a long enough password' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CSRF');
  });

  it('slows down guessing: after five failures the account says when to try again', async () => {
    await client().signUp('target@example.test', 'the real password');
    const attacker = client();
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await attacker.post('/api/auth/login', {
            email: 'target@example.test',
            password: `guess ${i}`,
          })
        ).statusCode,
      ).toBe(401);
    }
    const blocked = await attacker.post('/api/auth/login', {
      email: 'target@example.test',
      password: 'the real password',
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.message).toMatch(/^Too many failed sign-ins; try again in \d+ s$/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('changes a password and ends the other sessions', async () => {
    const laptop = client();
    await laptop.signUp('carol@example.test', 'carols first password');
    const phone = client();
    await phone.post('/api/auth/login', {
      email: 'carol@example.test',
      password: 'carols first password',
    });
    const change = await laptop.post('/api/auth/password', {
      currentPassword: 'carols first password',
      newPassword: 'carols second password',
    });
    expect(change.statusCode).toBe(204);
    expect((await laptop.get('/api/auth/me')).statusCode).toBe(200);
    expect((await phone.get('/api/auth/me')).statusCode).toBe(401);
    expect(
      (
        await client().post('/api/auth/login', {
          email: 'carol@example.test',
          password: 'carols second password',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('ends the sessions of a disabled user at once', async () => {
    const browser = client();
    const user = await browser.signUp('dave@example.test');
    await subject.db.prisma.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect((await browser.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('closes sign-up when the admin says so', async () => {
    await subject.db.prisma.policy.update({ where: { id: 1 }, data: { signupOpen: false } });
    try {
      const response = await client().post('/api/auth/signup', {
        email: 'late@example.test',
        password: 'long enough pw',
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('SIGNUP_CLOSED');
    } finally {
      await subject.db.prisma.policy.update({ where: { id: 1 }, data: { signupOpen: true } });
    }
  });

  it('records sign-ins and failures in the audit log without passwords', async () => {
    const rows = await subject.db.prisma.auditLog.findMany({
      where: { action: { in: ['user.login', 'user.login_failed'] } },
    });
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows.map((r) => r.details))).not.toMatch(/password|guess/);
  });
});

describe('the API surface', () => {
  it('serves OpenAPI at /api/docs', async () => {
    const json = await subject.app.inject({ url: '/api/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(Object.keys(json.json().paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/auth/signup', '/api/auth/me']),
    );
    expect((await subject.app.inject({ url: '/api/docs' })).statusCode).toBeLessThan(400);
  });

  it('sends security headers with a strict content security policy', async () => {
    const response = await subject.app.inject({ url: '/healthz' });
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("object-src 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });
});
