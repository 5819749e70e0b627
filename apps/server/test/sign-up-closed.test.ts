import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../src/db/migrations';
import { migrationsDir } from '../src/paths';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createDatabase, dropDatabase } from './support/databases';

// A fresh install as `npm start` makes it: migrated, nobody signed up, the policy untouched.
let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  database = await createDatabase('popgate_test_signup_closed');
  await applyMigrations(database.url, migrationsDir());
  subject = await testApp({ databaseUrl: database.url });
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

const client = () => new ApiClient(subject.app);
const status = async () => (await client().get('/api/auth/signup')).json();

describe('public sign-up on a fresh install', () => {
  it('lets the first person sign up, who becomes the admin, and then closes', async () => {
    expect(await status()).toEqual({ open: true, firstUser: true });
    const admin = client();
    expect((await admin.signUp('first@example.test')).role).toBe('admin');

    expect(await status()).toEqual({ open: false, firstUser: false });
    const late = await client().post('/api/auth/signup', {
      email: 'second@example.test',
      password: 'long enough pw',
    });
    expect(late.statusCode).toBe(403);
    expect(late.json().error).toEqual({
      code: 'SIGNUP_CLOSED',
      message: 'Sign-up is closed on this Popgate; ask an admin for an account',
    });
  });

  it('opens when the admin opens it, for users, not admins', async () => {
    const admin = client();
    await admin.post('/api/auth/login', {
      email: 'first@example.test',
      password: 'correct horse battery',
    });
    expect((await admin.patch('/api/admin/policy', { signupOpen: true })).statusCode).toBe(200);
    expect(await status()).toEqual({ open: true, firstUser: false });
    expect((await client().signUp('second@example.test')).role).toBe('user');

    expect((await admin.patch('/api/admin/policy', { signupOpen: false })).statusCode).toBe(200);
    expect(await status()).toEqual({ open: false, firstUser: false });
  });

  it('answers a malformed address in words, naming the field', async () => {
    const response = await client().post('/api/auth/login', {
      email: 'not an address',
      password: 'whatever it is',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'VALIDATION',
      message: 'body/email is not an email address (name@example.com)',
    });
  });
});
