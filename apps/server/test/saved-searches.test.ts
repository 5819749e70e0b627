import { randomBytes } from 'node:crypto';
import type { SavedSearchList, SavedSearchOut } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVED_SEARCHES_PER_USER } from '../src/saved-searches/saved-searches';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  subject = await testApp();
});
afterAll(async () => {
  await subject?.close();
});

async function user() {
  const client = new ApiClient(subject.app);
  await client.signUp(`saved-${randomBytes(4).toString('hex')}@example.test`);
  return client;
}
const list = async (client: ApiClient) =>
  (await client.get('/api/saved-searches')).json<SavedSearchList>().items;

describe('saved searches', () => {
  it('saves a named search, lists it in the order saved, and removes it', async () => {
    const client = await user();
    const first = await client.post('/api/saved-searches', {
      name: '  Invoices from Carol ',
      query: 'from:carol has:attachment invoice',
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({
      id: expect.any(String),
      name: 'Invoices from Carol',
      query: 'from:carol has:attachment invoice',
      createdAt: expect.any(String),
    });
    await client.post('/api/saved-searches', { name: 'Unread', query: 'is:unread' });
    expect((await list(client)).map((s) => s.name)).toEqual(['Invoices from Carol', 'Unread']);

    const removed = await client.delete(`/api/saved-searches/${first.json<SavedSearchOut>().id}`);
    expect(removed.statusCode).toBe(204);
    expect((await list(client)).map((s) => s.name)).toEqual(['Unread']);
  });

  it('refuses a query the search cannot read, saying where it is wrong', async () => {
    const client = await user();
    const response = await client.post('/api/saved-searches', {
      name: 'broken',
      query: 'form:carol',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_QUERY', position: 1 });
    expect(response.json().error.message).toContain('from:');
    expect(await list(client)).toEqual([]);
  });

  it('refuses unknown properties, empty and overlong fields', async () => {
    const client = await user();
    for (const [body, field] of [
      [{ name: 'x', query: 'y', userId: '0190f5a4-0000-7000-8000-000000000001' }, 'userId'],
      [{ name: '', query: 'y' }, 'name'],
      [{ name: 'x', query: '' }, 'query'],
      [{ name: 'x'.repeat(61), query: 'y' }, 'name'],
      [{ name: 'x', query: 'y'.repeat(501) }, 'query'],
      [{ query: 'y' }, 'name'],
    ] as const) {
      const response = await client.post('/api/saved-searches', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.message, JSON.stringify(body)).toContain(field);
    }
    const blank = await client.post('/api/saved-searches', { name: '   ', query: 'y' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.code).toBe('NAME_REQUIRED');
    expect(await list(client)).toEqual([]);
  });

  it('keeps names unique per user and the number of searches bounded', async () => {
    const client = await user();
    expect(
      (await client.post('/api/saved-searches', { name: 'Mine', query: 'a' })).statusCode,
    ).toBe(201);
    const again = await client.post('/api/saved-searches', { name: 'Mine', query: 'b' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('NAME_TAKEN');
    // Another user may use the same name.
    const other = await user();
    expect((await other.post('/api/saved-searches', { name: 'Mine', query: 'a' })).statusCode).toBe(
      201,
    );
    for (let i = 1; i < SAVED_SEARCHES_PER_USER; i++) {
      await client.post('/api/saved-searches', { name: `s${i}`, query: 'x' });
    }
    const over = await client.post('/api/saved-searches', { name: 'one more', query: 'x' });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.code).toBe('TOO_MANY_SAVED_SEARCHES');
  });

  it('shows and removes only the caller’s own searches', async () => {
    const alice = await user();
    const bob = await user();
    const saved = (
      await alice.post('/api/saved-searches', { name: 'private', query: 'secret' })
    ).json<SavedSearchOut>();
    expect(await list(bob)).toEqual([]);
    expect((await bob.delete(`/api/saved-searches/${saved.id}`)).statusCode).toBe(404);
    expect((await alice.delete('/api/saved-searches/not-a-uuid')).statusCode).toBe(400);
    expect((await list(alice)).map((s) => s.id)).toEqual([saved.id]);
    expect((await subject.app.inject({ url: '/api/saved-searches' })).statusCode).toBe(401);
  });

  it('renames a search and changes its query, keeping its place in the list', async () => {
    const client = await user();
    const saved = (
      await client.post('/api/saved-searches', { name: 'Carol', query: 'from:carol' })
    ).json<SavedSearchOut>();
    await client.post('/api/saved-searches', { name: 'Later', query: 'is:unread' });

    const renamed = await client.patch(`/api/saved-searches/${saved.id}`, {
      name: '  From Carol  ',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toEqual({ ...saved, name: 'From Carol' });

    const requery = await client.patch(`/api/saved-searches/${saved.id}`, {
      query: 'from:carol has:attachment',
    });
    expect(requery.json()).toEqual({
      ...saved,
      name: 'From Carol',
      query: 'from:carol has:attachment',
    });
    const both = await client.patch(`/api/saved-searches/${saved.id}`, {
      name: 'Carol files',
      query: ' filename:pdf ',
    });
    expect(both.json()).toMatchObject({ name: 'Carol files', query: 'filename:pdf' });
    expect((await list(client)).map((s) => [s.name, s.query])).toEqual([
      ['Carol files', 'filename:pdf'],
      ['Later', 'is:unread'],
    ]);
    // Its own name again is no conflict.
    const same = await client.patch(`/api/saved-searches/${saved.id}`, { name: 'Carol files' });
    expect(same.statusCode).toBe(200);
  });

  it('refuses a rename to a name taken, a blank name or an unreadable query, changing nothing', async () => {
    const client = await user();
    const saved = (
      await client.post('/api/saved-searches', { name: 'First', query: 'a' })
    ).json<SavedSearchOut>();
    await client.post('/api/saved-searches', { name: 'Second', query: 'b' });

    const taken = await client.patch(`/api/saved-searches/${saved.id}`, { name: ' Second ' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('NAME_TAKEN');
    const blank = await client.patch(`/api/saved-searches/${saved.id}`, { name: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.code).toBe('NAME_REQUIRED');
    const broken = await client.patch(`/api/saved-searches/${saved.id}`, {
      name: 'Third',
      query: 'a form:carol',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatchObject({ code: 'INVALID_QUERY', position: 3 });
    expect((await list(client)).map((s) => [s.name, s.query])).toEqual([
      ['First', 'a'],
      ['Second', 'b'],
    ]);
  });

  it('refuses a rename with unknown properties, no change at all or overlong fields', async () => {
    const client = await user();
    const saved = (
      await client.post('/api/saved-searches', { name: 'Mine', query: 'a' })
    ).json<SavedSearchOut>();
    for (const [body, field] of [
      [{ name: 'x', userId: '0190f5a4-0000-7000-8000-000000000001' }, 'userId'],
      [{ name: 'x', createdAt: '2020-01-01T00:00:00Z' }, 'createdAt'],
      [{}, 'properties'],
      [{ name: 'x'.repeat(61) }, 'name'],
      [{ query: 'y'.repeat(501) }, 'query'],
    ] as const) {
      const response = await client.patch(`/api/saved-searches/${saved.id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.message, JSON.stringify(body)).toContain(field);
    }
    expect((await list(client)).map((s) => s.name)).toEqual(['Mine']);
  });

  it('answers 404 to a rename of another user’s search, which keeps its name', async () => {
    const alice = await user();
    const bob = await user();
    const saved = (
      await alice.post('/api/saved-searches', { name: 'private', query: 'secret' })
    ).json<SavedSearchOut>();
    const response = await bob.patch(`/api/saved-searches/${saved.id}`, { name: 'mine now' });
    expect(response.statusCode).toBe(404);
    expect(
      (await bob.patch('/api/saved-searches/0190f5a4-0000-7000-8000-000000000001', { name: 'x' }))
        .statusCode,
    ).toBe(404);
    expect((await list(alice)).map((s) => s.name)).toEqual(['private']);
  });

  it('documents every saved-search route in OpenAPI under its tag', async () => {
    const spec = (await subject.app.inject({ url: '/api/docs/json' })).json<{
      paths: Record<string, Record<string, { tags?: string[] }>>;
    }>();
    const routes = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/saved-searches'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })),
      );
    expect(routes.map((r) => r.route).sort()).toEqual([
      'delete /api/saved-searches/{id}',
      'get /api/saved-searches',
      'patch /api/saved-searches/{id}',
      'post /api/saved-searches',
    ]);
    for (const { route, op } of routes) expect(op.tags, route).toEqual(['saved searches']);
  });
});
