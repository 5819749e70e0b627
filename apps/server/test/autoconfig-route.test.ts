import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTOCONFIG_LOOKUPS_PER_MINUTE } from '../src/autoconfig/autoconfig-throttle';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_autoconfig_route');
  subject = await testApp({ databaseUrl: database.url });
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

const lookup = (client: ApiClient, email: string) =>
  client.get(`/api/autoconfig?email=${encodeURIComponent(email)}`);

describe('GET /api/autoconfig', () => {
  it('answers only signed-in users', async () => {
    const response = await lookup(new ApiClient(subject.app), 'someone@gmail.com');
    expect(response.statusCode).toBe(401);
  });

  it("answers a Gmail address with Gmail's preset, in the contract's shape", async () => {
    const client = new ApiClient(subject.app);
    await client.signUp('gmail-user@example.test');
    const response = await lookup(client, 'someone@gmail.com');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      source: 'preset',
      provider: 'Gmail',
      popAvailable: true,
      pop3: { host: 'pop.gmail.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
      oauth: 'google',
      signIn: 'oauth',
      username: 'someone@gmail.com',
      notes: expect.arrayContaining([expect.stringContaining('recent:')]),
      probed: null,
    });
  });

  it('answers iCloud with no servers and the reason', async () => {
    const client = new ApiClient(subject.app);
    await client.signUp('icloud-user@example.test');
    const response = await lookup(client, 'someone@icloud.com');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      popAvailable: false,
      pop3: null,
      smtp: null,
      oauth: null,
    });
  });

  it('refuses what is not an address', async () => {
    const client = new ApiClient(subject.app);
    await client.signUp('typo-user@example.test');
    expect((await lookup(client, 'not an address')).statusCode).toBe(400);
    const noDomain = await lookup(client, 'someone@localhost');
    expect(noDomain.statusCode).toBe(400);
    expect(noDomain.json().error.code).toBe('INVALID_EMAIL');
  });

  it('limits lookups per user and says when to try again', async () => {
    const client = new ApiClient(subject.app);
    await client.signUp('busy-user@example.test');
    for (let i = 0; i < AUTOCONFIG_LOOKUPS_PER_MINUTE; i++) {
      expect((await lookup(client, 'someone@outlook.com')).statusCode).toBe(200);
    }
    const refused = await lookup(client, 'someone@outlook.com');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another user's allowance is their own.
    const other = new ApiClient(subject.app);
    await other.signUp('calm-user@example.test');
    expect((await lookup(other, 'someone@outlook.com')).statusCode).toBe(200);
  });
});
