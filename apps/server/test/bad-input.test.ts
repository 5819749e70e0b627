import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/messages/cursor';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
let client: ApiClient;

beforeAll(async () => {
  subject = await testApp();
  client = new ApiClient(subject.app);
  await client.signUp(`bad-input-${Date.now()}@example.test`);
});
afterAll(async () => {
  await subject?.close();
});

const account = (overrides: Record<string, unknown>) => ({
  label: 'Work',
  host: 'pop.example.test',
  port: 995,
  security: 'tls',
  username: 'ada',
  password: 'secret',
  ...overrides,
});

describe('bad input answers 400 naming the field, never 500', () => {
  it.each([
    ['a label', () => client.post('/api/accounts', account({ label: 'Wo\u0000rk' })), 'body/label'],
    [
      'a nested field',
      () => client.post('/api/accounts', account({ tls: { caPem: '-----BEGIN\u0000' } })),
      'body/tls/caPem',
    ],
    ['a search', () => client.get('/api/messages?q=in%00voice'), 'querystring/q'],
    ['a query parameter name', () => client.get('/api/messages?q%00=x'), 'querystring/q\u0000'],
  ])('refuses a NUL character in %s', async (_what, send, field) => {
    const response = await send();
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'VALIDATION',
      message: `${field} must not contain a NUL character`,
    });
  });

  it.each([
    ['before year 1', Date.parse('0001-01-01T00:00:00Z') - 1],
    ['far before', -8_640_000_000_000_000],
    ['after year 9999', Date.parse('10000-01-01T00:00:00Z')],
  ])('refuses a cursor whose time is %s', async (_what, time) => {
    const cursor = Buffer.from(
      JSON.stringify([time, '01900000-0000-7000-8000-000000000000']),
    ).toString('base64url');
    const response = await client.get(`/api/messages?cursor=${cursor}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('querystring/cursor');
  });

  it('still takes a cursor it wrote for an old message', async () => {
    const cursor = encodeCursor({
      at: new Date('1970-01-01T00:00:00Z'),
      id: '01900000-0000-7000-8000-000000000000',
    });
    expect((await client.get(`/api/messages?cursor=${cursor}`)).statusCode).toBe(200);
  });
});
