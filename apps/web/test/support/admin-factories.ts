import type { AdminAccount, AdminPolicy, AdminUser } from '@popgate/contracts';

export function adminUser(overrides: Partial<AdminUser> = {}): AdminUser {
  return {
    id: '00000000-0000-7000-8000-000000000001',
    email: 'ada@example.com',
    role: 'admin',
    disabled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastLoginAt: null,
    accountCount: 0,
    ...overrides,
  };
}

export function adminAccount(overrides: Partial<AdminAccount> = {}): AdminAccount {
  return {
    id: '00000000-0000-7000-8000-0000000000a1',
    owner: { id: '00000000-0000-7000-8000-000000000002', email: 'bob@example.com' },
    label: 'Home',
    host: 'pop.example.com',
    port: 995,
    security: 'tls',
    status: 'ok',
    disabled: false,
    lastSyncAt: null,
    nextSyncAt: null,
    lastError: null,
    lastErrorCode: null,
    messageCount: 12,
    bytes: 34_000,
    auth: 'auto',
    oauth: null,
    unchangedPolls: 0,
    unchangedSince: null,
    ...overrides,
  };
}

export function adminPolicy(overrides: Partial<AdminPolicy> = {}): AdminPolicy {
  return {
    signupOpen: true,
    allowedHosts: [],
    refusedHosts: [],
    allowedNetworks: [],
    refusedNetworks: [],
    allowedPorts: [110, 995],
    allowedSmtpPorts: [465, 587],
    maxOutgoingBytes: 26_214_400,
    requireTls: false,
    minPollSeconds: 60,
    maxAccountsPerUser: 20,
    maxMessageBytes: 52_428_800,
    defaultRetentionDays: null,
    syncSessionsPerHost: null,
    syncAccountsPerHostSession: null,
    hostSessionLimits: [{ host: 'pop.gmail.com', sessions: 50 }],
    ...overrides,
  };
}
