import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { offlineDb } from '../src/lib/offline-db';
import { useAuthStore } from '../src/stores/auth';
import { fakeApi } from './support/fake-api';

const me = { id: 'u1', email: 'ada@example.com', role: 'admin' as const };

describe('the auth store', () => {
  beforeEach(async () => {
    setActivePinia(createPinia());
    api.resetCsrf();
    await offlineDb.clear();
  });

  it('knows the signed-in user from /api/auth/me', async () => {
    vi.stubGlobal('fetch', fakeApi({ 'GET /api/auth/me': { body: me } }).fetcher);
    const auth = useAuthStore();
    await auth.init();
    expect(auth.ready).toBe(true);
    expect(auth.signedIn).toBe(true);
    expect(auth.me).toEqual(me);
    expect(auth.fromCache).toBe(false);
  });

  it('is signed out on a 401, without leaving the page for the sign-in page twice', async () => {
    const unauthorized = vi.fn();
    api.setUnauthorizedHandler(unauthorized);
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'GET /api/auth/me': {
          status: 401,
          body: { error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } },
        },
      }).fetcher,
    );
    const auth = useAuthStore();
    await auth.init();
    expect(auth.signedIn).toBe(false);
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('offline, trusts the user this device saw last', async () => {
    vi.stubGlobal('fetch', fakeApi({ 'GET /api/auth/me': { body: me } }).fetcher);
    await useAuthStore().init();
    await new Promise((resolve) => setTimeout(resolve, 10));

    setActivePinia(createPinia());
    vi.stubGlobal(
      'fetch',
      fakeApi({ 'GET /api/auth/me': new TypeError('Failed to fetch') }).fetcher,
    );
    const auth = useAuthStore();
    await auth.init();
    expect(auth.me).toEqual(me);
    expect(auth.fromCache).toBe(true);
  });

  it('signs in and up with the CSRF token, and out leaving nothing behind', async () => {
    const server = fakeApi({
      'POST /api/auth/login': { body: me },
      'POST /api/auth/signup': { status: 201, body: { ...me, id: 'u2' } },
      'POST /api/auth/logout': { status: 204 },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const auth = useAuthStore();
    await auth.signIn({ email: me.email, password: 'correct horse' });
    expect(auth.me).toEqual(me);
    await offlineDb.saveMessage({ id: 'm1' } as never, null);
    await auth.signOut();
    expect(auth.signedIn).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await offlineDb.message('m1')).toBeUndefined();
    expect(await offlineDb.me()).toBeUndefined();
    await auth.signUp({ email: 'new@example.com', password: 'long enough password' });
    expect(auth.me?.id).toBe('u2');
    for (const call of server.apiCalls()) expect(call.headers['x-csrf-token']).toBe('csrf-1');
  });

  it('passes on a refused sign-in as an ApiError with the server’s words', async () => {
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'POST /api/auth/login': {
          status: 401,
          body: { error: { code: 'BAD_CREDENTIALS', message: 'Wrong email or password' } },
        },
      }).fetcher,
    );
    const auth = useAuthStore();
    await expect(auth.signIn({ email: 'x@example.com', password: 'nope' })).rejects.toMatchObject({
      status: 401,
      code: 'BAD_CREDENTIALS',
      message: 'Wrong email or password',
    });
    expect(auth.signedIn).toBe(false);
  });
});
