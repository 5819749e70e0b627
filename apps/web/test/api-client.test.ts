import {
  CSRF_HEADER as CONTRACT_CSRF_HEADER,
  NEW_PASSWORD_MIN_LENGTH as CONTRACT_MIN_LENGTH,
} from '@popgate/contracts';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, CSRF_HEADER, withQuery } from '../src/api/client';
import { NEW_PASSWORD_MIN_LENGTH } from '../src/lib/limits';
import { fakeApi } from './support/fake-api';

describe('the API client', () => {
  it('uses the contracts’ header name and password length', () => {
    expect(CSRF_HEADER).toBe(CONTRACT_CSRF_HEADER);
    expect(NEW_PASSWORD_MIN_LENGTH).toBe(CONTRACT_MIN_LENGTH);
  });

  it('sends the CSRF token on every POST, PATCH and DELETE, asking for it once', async () => {
    const api = fakeApi({
      'POST /api/auth/login': { body: { id: 'u', email: 'a@b.c', role: 'user' } },
      'PATCH /api/messages/1': { body: {} },
      'DELETE /api/messages/1': { status: 204 },
      'GET /api/accounts': { body: [] },
    });
    const client = new ApiClient(api.fetcher);
    await client.post('/api/auth/login', { email: 'a@b.c', password: 'x' });
    await client.patch('/api/messages/1', { seen: true });
    await client.delete('/api/messages/1');
    await client.get('/api/accounts');
    expect(api.calls.filter((call) => call.url === '/api/auth/csrf')).toHaveLength(1);
    const [login, patch, remove, list] = api.apiCalls();
    expect(login!.headers[CSRF_HEADER]).toBe('csrf-1');
    expect(login!.headers['content-type']).toBe('application/json');
    expect(login!.body).toEqual({ email: 'a@b.c', password: 'x' });
    expect(patch!.headers[CSRF_HEADER]).toBe('csrf-1');
    expect(remove!.headers[CSRF_HEADER]).toBe('csrf-1');
    expect(list!.headers[CSRF_HEADER]).toBeUndefined();
  });

  it('turns error replies into ApiError with status, code and message', async () => {
    const api = fakeApi({
      'POST /api/auth/login': {
        status: 429,
        body: { error: { code: 'RATE_LIMITED', message: 'try again in 30 s' } },
        headers: { 'retry-after': '30' },
      },
    });
    const client = new ApiClient(api.fetcher);
    const error = await client.post('/api/auth/login', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'try again in 30 s',
      retryAfterSeconds: 30,
    });
  });

  it('keeps the status line when the error is not JSON', async () => {
    const fetcher = vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502 }));
    const error = (await new ApiClient(fetcher)
      .get('/api/accounts')
      .catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('HTTP_502');
    expect(error.message).toMatch(/not available/);
  });

  it('reports a network failure as status 0', async () => {
    const fetcher = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const error = (await new ApiClient(fetcher)
      .get('/api/accounts')
      .catch((caught: unknown) => caught)) as ApiError;
    expect(error.isNetwork).toBe(true);
    expect(error.code).toBe('NETWORK');
  });

  it('sends the user to sign in on a 401, unless a 401 is an expected answer', async () => {
    const unauthorized = {
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } },
    };
    const api = fakeApi({ 'GET /api/accounts': unauthorized, 'GET /api/auth/me': unauthorized });
    const client = new ApiClient(api.fetcher);
    const onUnauthorized = vi.fn();
    client.setUnauthorizedHandler(onUnauthorized);
    await expect(client.get('/api/auth/me', { allowUnauthorized: true })).rejects.toMatchObject({
      status: 401,
    });
    expect(onUnauthorized).not.toHaveBeenCalled();
    await expect(client.get('/api/accounts')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('gets a new CSRF token and retries once when the server no longer knows the old one', async () => {
    let token = 0;
    const api = fakeApi({
      'GET /api/auth/csrf': () => ({ body: { token: `t${++token}` } }),
      'POST /api/accounts/a/sync': (call) =>
        call.headers[CSRF_HEADER] === 't2'
          ? { body: { accountId: 'a', requested: true } }
          : { status: 403, body: { error: { code: 'CSRF', message: 'wrong token' } } },
    });
    const client = new ApiClient(api.fetcher);
    await expect(client.post('/api/accounts/a/sync')).resolves.toEqual({
      accountId: 'a',
      requested: true,
    });
    expect(token).toBe(2);
  });

  it('reads 204 as nothing, text and blobs when asked', async () => {
    const fetcher = vi.fn(async (input: RequestInfo | URL) =>
      String(input).endsWith('/raw')
        ? new Response('Subject: hi\r\n\r\nbody', { status: 200 })
        : new Response(null, { status: 204 }),
    );
    const client = new ApiClient(fetcher);
    await expect(client.get('/api/x')).resolves.toBeUndefined();
    await expect(client.get('/api/m/raw', { as: 'text' })).resolves.toBe('Subject: hi\r\n\r\nbody');
  });

  it('builds query strings without empty values', () => {
    expect(
      withQuery('/api/messages', {
        q: 'hello world',
        unread: true,
        flagged: false,
        cursor: undefined,
        limit: 100,
      }),
    ).toBe('/api/messages?q=hello+world&unread=true&limit=100');
    expect(withQuery('/api/messages', {})).toBe('/api/messages');
  });
});
