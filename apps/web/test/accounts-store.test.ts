import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { accountFix, explainTestError } from '../src/lib/account-status';
import {
  connectionSignature,
  emptyForm,
  formFromAccount,
  normalizeFingerprint,
  toAccountIn,
  toPatch,
  toTestIn,
  validateForm,
} from '../src/lib/account-form';
import { describeServerInfo } from '../src/lib/server-info';
import { useAccountsStore } from '../src/stores/accounts';
import { account } from './support/factories';
import { fakeApi, settle } from './support/fake-api';

describe('the accounts store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  it('loads the accounts and adds up their unread mail', async () => {
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'GET /api/accounts': {
          body: [account({ id: 'a', unreadCount: 2 }), account({ id: 'b', unreadCount: 5 })],
        },
      }).fetcher,
    );
    const accounts = useAccountsStore();
    await accounts.load();
    expect(accounts.loaded).toBe(true);
    expect(accounts.totalUnread).toBe(7);
    expect(accounts.byId.get('b')?.unreadCount).toBe(5);
  });

  it('creates, updates, checks and removes accounts', async () => {
    const server = fakeApi({
      'POST /api/accounts': (call) => ({
        status: 201,
        body: account({ id: 'n', label: (call.body as { label: string }).label }),
      }),
      'PATCH /api/accounts/n': { body: account({ id: 'n', label: 'Renamed' }) },
      'POST /api/accounts/n/sync': { body: { accountId: 'n', requested: true } },
      'DELETE /api/accounts/n': { status: 204 },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const accounts = useAccountsStore();
    const form = {
      ...emptyForm(),
      label: 'Home',
      host: 'pop.example.com',
      username: 'me',
      password: 'pw',
    };
    await accounts.create(toAccountIn(form));
    expect(accounts.accounts.map((a) => a.label)).toEqual(['Home']);
    await accounts.update('n', { label: 'Renamed' });
    expect(accounts.accounts.map((a) => a.label)).toEqual(['Renamed']);
    await accounts.syncNow('n');
    expect(accounts.byId.get('n')?.status).toBe('syncing');
    await accounts.remove('n');
    expect(accounts.accounts).toEqual([]);
    expect(
      server.apiCalls().every((call) => call.method === 'GET' || call.headers['x-csrf-token']),
    ).toBe(true);
  });

  it('follows sync progress and status events, then reloads the facts', async () => {
    vi.useFakeTimers();
    try {
      const server = fakeApi({
        'GET /api/accounts': { body: [account({ id: 'a', status: 'ok', messageCount: 40 })] },
      });
      vi.stubGlobal('fetch', server.fetcher);
      const accounts = useAccountsStore();
      accounts.accounts = [account({ id: 'a', status: 'new', messageCount: 0 })];
      accounts.applyProgress({ accountId: 'a', done: 10, total: 40, bytes: 5000 });
      expect(accounts.byId.get('a')?.status).toBe('syncing');
      expect(accounts.progress.a).toEqual({ accountId: 'a', done: 10, total: 40, bytes: 5000 });
      accounts.applyStatus({ accountId: 'a', status: 'ok', lastError: null, lastErrorCode: null });
      expect(accounts.progress.a).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1000);
      expect(server.apiCalls().filter((call) => call.url === '/api/accounts')).toHaveLength(1);
      expect(accounts.byId.get('a')?.messageCount).toBe(40);
      accounts.applyStatus({
        accountId: 'a',
        status: 'auth_failed',
        lastError: '[AUTH] bad',
        lastErrorCode: 'AUTH_FAILED',
      });
      expect(accounts.byId.get('a')).toMatchObject({
        status: 'auth_failed',
        lastError: '[AUTH] bad',
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('reloads once for a burst of changes', async () => {
    const server = fakeApi({ 'GET /api/accounts': { body: [] } });
    vi.stubGlobal('fetch', server.fetcher);
    const accounts = useAccountsStore();
    for (let i = 0; i < 20; i++) accounts.scheduleRefresh(0);
    await settle();
    expect(server.apiCalls()).toHaveLength(1);
  });
});

describe('the account form', () => {
  it('keeps the port in step with the security unless chosen, and sends what the API takes', () => {
    const form = {
      ...emptyForm(),
      label: '',
      host: ' pop.example.com ',
      username: 'me@example.com',
      password: 'secret',
      deleteAfter: true,
      deleteAfterDays: 30,
      pollMinutes: 10,
      headersOnly: true,
      headersOnlyKb: 500,
      pinSha256: 'ab'.repeat(32),
    };
    expect(toAccountIn(form)).toEqual({
      label: 'me@example.com',
      host: 'pop.example.com',
      port: 995,
      security: 'tls',
      username: 'me@example.com',
      password: 'secret',
      auth: 'auto',
      policy: {
        leaveOnServer: true,
        deleteAfterDays: 30,
        deleteWhenDeletedHere: false,
        pollSeconds: 600,
        maxFullDownloadBytes: 512_000,
      },
      tls: { caPem: null, pinSha256: Array(32).fill('AB').join(':') },
    });
  });

  it('does not keep deleting from the server as a policy when mail is not left there', () => {
    const form = {
      ...emptyForm(),
      leaveOnServer: false,
      deleteAfter: true,
      deleteWhenDeletedHere: true,
    };
    expect(toAccountIn(form).policy).toMatchObject({
      leaveOnServer: false,
      deleteAfterDays: null,
      deleteWhenDeletedHere: false,
    });
  });

  it("starts a new account from this Popgate's defaults: the admin's retention and interval", () => {
    const form = emptyForm({
      leaveOnServer: true,
      deleteAfterDays: 30,
      deleteWhenDeletedHere: false,
      pollSeconds: 900,
      maxFullDownloadBytes: null,
    });
    expect(form).toMatchObject({ deleteAfter: true, deleteAfterDays: 30, pollMinutes: 15 });
    expect(toAccountIn({ ...form, host: 'pop.example.com' }).policy).toMatchObject({
      deleteAfterDays: 30,
      pollSeconds: 900,
    });
  });

  it('sends only what changed when editing, and the password only when typed', () => {
    const original = account({ id: 'a' });
    const form = formFromAccount(original);
    expect(toPatch(form, original)).toEqual({});
    form.pollMinutes = 15;
    form.password = 'new one';
    form.pinSha256 = 'cd'.repeat(32);
    expect(toPatch(form, original)).toEqual({
      password: 'new one',
      policy: { pollSeconds: 900 },
      tls: { caPem: null, pinSha256: Array(32).fill('CD').join(':') },
    });
  });

  it('tests a linked account with its saved password unless a new one is typed', () => {
    const form = formFromAccount(account({ id: 'a' }));
    expect(toTestIn(form, 'a')).toMatchObject({ accountId: 'a', host: 'pop.example.com' });
    expect(toTestIn(form, 'a')).not.toHaveProperty('password');
    form.password = 'typed';
    expect(toTestIn(form, 'a')).toMatchObject({ password: 'typed' });
    expect(toTestIn(form, 'a')).not.toHaveProperty('accountId');
    const other = { ...form, password: 'other' };
    expect(connectionSignature(form)).not.toBe(connectionSignature(other));
  });

  it('says what is wrong with the fields', () => {
    const errors = validateForm(
      { ...emptyForm(), host: 'pop example.com', port: 70000, pinSha256: 'xyz' },
      true,
    );
    expect(Object.keys(errors).sort()).toEqual([
      'host',
      'password',
      'pinSha256',
      'port',
      'username',
    ]);
    expect(normalizeFingerprint('ab:'.repeat(31) + 'ab')).toBe(Array(32).fill('AB').join(':'));
    expect(normalizeFingerprint('abc')).toBeNull();
  });
});

describe('explanations', () => {
  const settings = { host: 'pop.example.com', port: 995, security: 'tls' };

  it('explains every connection test failure with what to do', () => {
    const codes = [
      'DNS',
      'REFUSED',
      'TIMEOUT',
      'TLS_UNTRUSTED',
      'TLS_FAILED',
      'STLS_UNAVAILABLE',
      'AUTH_FAILED',
      'IN_USE',
      'LOGIN_DELAY',
      'PROTOCOL',
      'BLOCKED_HOST',
    ] as const;
    for (const code of codes) {
      const explanation = explainTestError({ code, message: 'what the server said' }, settings);
      expect(explanation.title.length).toBeGreaterThan(10);
      expect(explanation.detail.length).toBeGreaterThan(10);
    }
    expect(explainTestError({ code: 'AUTH_FAILED', message: '' }, settings).field).toBe('password');
    expect(explainTestError({ code: 'DNS', message: '' }, settings).title).toContain(
      'pop.example.com',
    );
    const untrusted = explainTestError(
      { code: 'TLS_UNTRUSTED', message: 'self-signed', fingerprint256: 'AA:BB' },
      settings,
    );
    expect(untrusted.fingerprint).toBe('AA:BB');
    // An admin's refusal is the server's to explain; a private address has the words of its own.
    const refused = explainTestError(
      {
        code: 'BLOCKED_HOST',
        message: "This Popgate's admin does not allow POP3 servers at pop.example.com",
      },
      settings,
    );
    expect(refused.detail).toBe(
      "This Popgate's admin does not allow POP3 servers at pop.example.com.",
    );
    expect(explainTestError({ code: 'BLOCKED_HOST', message: '' }, settings).detail).toContain(
      'private network',
    );
  });

  it('tells how to fix an account in trouble', () => {
    expect(accountFix(account({ status: 'ok' }))).toBeNull();
    expect(accountFix(account({ status: 'auth_failed' }))).toMatchObject({ action: 'password' });
    expect(accountFix(account({ status: 'tls_error' }))).toMatchObject({ action: 'connection' });
    expect(accountFix(account({ status: 'ok', disabled: true }))).toMatchObject({
      action: 'resume',
    });
    expect(accountFix(account({ status: 'in_use' }))).toMatchObject({ action: 'wait' });
  });

  it('describes what a server says about itself', () => {
    const rows = describeServerInfo({
      host: 'pop.example.com',
      port: 995,
      address: '192.0.2.1',
      security: 'tls',
      greeting: 'Dovecot ready.',
      implementation: null,
      capaSupported: true,
      capabilities: ['UIDL', 'TOP'],
      authMechanisms: ['PLAIN', 'USER'],
      authenticatedWith: 'PLAIN',
      uidl: true,
      top: true,
      pipelining: true,
      tls: {
        protocol: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        subject: 'CN=pop.example.com',
        issuer: 'CN=Example CA',
        validTo: 'Jan 1 2030',
        fingerprint256: 'AA',
        trustedBy: 'pin',
      },
    });
    const byLabel = Object.fromEntries(rows.map((row) => [row.label, row.value]));
    expect(byLabel['Greeting']).toBe('Dovecot ready.');
    expect(byLabel['Encryption']).toBe('TLSv1.3, TLS_AES_256_GCM_SHA384');
    expect(byLabel['Certificate for']).toBe('pop.example.com');
    expect(byLabel['Trusted because']).toMatch(/pinned/);
    expect(byLabel['Capabilities']).toBe('UIDL, TOP, PIPELINING');
    expect(describeServerInfo(null)).toEqual([]);
    expect(describeServerInfo({ custom: 'x' })).toEqual([{ label: 'Custom', value: 'x' }]);
  });
});
