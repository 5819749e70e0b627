import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

/**
 * Every route the API documents, checked for who may call it: anonymous callers get 401,
 * non-admins 403 on admin routes, and anyone but the owner 404 on the owner's ids — admins
 * included, since they manage accounts but do not read mail. A route added without a line
 * here fails the test that lists them.
 */
const POP3_PASSWORD = 'pop3-secret-Zq8!';

/** A valid body for each state-changing route, so that validation never hides the answer. */
const BODIES: Record<string, unknown> = {
  'POST /api/auth/password': { currentPassword: 'x', newPassword: 'a new long password' },
  'POST /api/accounts': {
    label: 'x',
    host: 'pop.example.test',
    port: 995,
    security: 'tls',
    username: 'u',
    password: 'p',
  },
  'POST /api/accounts/test': {
    host: 'pop.example.test',
    port: 995,
    security: 'tls',
    username: 'u',
    password: 'p',
  },
  'PATCH /api/accounts/{id}': { label: 'renamed' },
  'DELETE /api/accounts/{id}': undefined,
  'POST /api/accounts/{id}/sync': {},
  'PATCH /api/messages': { ids: ['{messageId}'], seen: true },
  'PATCH /api/messages/{id}': { flagged: true },
  'DELETE /api/messages/{id}': undefined,
  'POST /api/messages/{id}/restore': {},
  'POST /api/messages/trash': { ids: ['{messageId}'] },
  'POST /api/messages/restore': { ids: ['{messageId}'] },
  'POST /api/messages/{id}/trust-sender': {},
  'DELETE /api/messages/{id}/trust-sender': undefined,
  'POST /api/messages/{id}/fetch-full': {},
  'POST /api/admin/users': { email: 'matrix-new@example.test', password: 'a long password' },
  'PATCH /api/admin/users/{id}': { role: 'user' },
  'POST /api/admin/users/{id}/sign-out': {},
  'PATCH /api/admin/accounts/{id}': { disabled: false },
  'POST /api/admin/accounts/{id}/sync': {},
  'PATCH /api/admin/policy': { minPollSeconds: 60 },
  'POST /api/identities': {
    accountId: '00000000-0000-4000-8000-000000000000',
    name: 'x',
    address: 'x@example.test',
    smtp: { host: 'smtp.example.test', port: 587, security: 'starttls', password: 'p' },
  },
  'POST /api/identities/test': {
    host: 'smtp.example.test',
    port: 587,
    security: 'starttls',
    username: 'u',
    password: 'p',
  },
  'PATCH /api/identities/{id}': { name: 'renamed' },
  'DELETE /api/identities/{id}': undefined,
  'POST /api/drafts': { subject: 'x' },
  'PATCH /api/drafts/{id}': { subject: 'renamed' },
  'DELETE /api/drafts/{id}': undefined,
  'POST /api/drafts/{id}/attachments': { bytes: 'of a file' },
  'DELETE /api/drafts/{id}/attachments/{attachmentId}': undefined,
  'POST /api/drafts/{id}/send': {},
  'POST /api/outbox/{id}/cancel': {},
  'POST /api/outbox/{id}/retry': {},
  // A wrong password: nobody is deleted by the matrix.
  'DELETE /api/auth/me': { password: 'not the password' },
  'DELETE /api/admin/users/{id}': undefined,
  'POST /api/imports': undefined,
  'POST /api/exports': { format: 'mbox' },
  'POST /api/messages/delete-permanently': { ids: ['{messageId}'] },
  'POST /api/messages/empty-trash': {},
  'POST /api/messages/{id}/unsubscribe': {},
  'POST /api/saved-searches': { name: 'x', query: 'from:x' },
  'PATCH /api/saved-searches/{id}': { name: 'renamed' },
  'DELETE /api/saved-searches/{id}': undefined,
  'PUT /api/admin/oauth-providers/{provider}': {
    clientId: 'x',
    issuer: 'https://issuer.example.test',
  },
  'DELETE /api/admin/oauth-providers/{provider}': undefined,
};
const QUERIES: Record<string, string> = {
  'GET /api/messages/{id}/images': '?url=http%3A%2F%2Fexample.test%2Fa.png&sig=x',
  'GET /api/autoconfig': '?email=someone%40example.test',
  'GET /api/identities/defaults': '?accountId=00000000-0000-4000-8000-000000000000',
  'POST /api/drafts/{id}/attachments': '?filename=a.txt',
  'GET /api/oauth/{provider}/start': '?accountId=00000000-0000-4000-8000-000000000000',
  'GET /api/export': '?format=mbox',
};
const BULK = [
  'PATCH /api/messages',
  'POST /api/messages/trash',
  'POST /api/messages/restore',
  'POST /api/messages/delete-permanently',
];
/**
 * Open to anyone: signing up and in needs no session. Every other /api route is for signed-in
 * users only: each route folder's plugin puts the authentication hook in front of all its routes.
 */
const PUBLIC = new Set([
  'GET /api/auth/csrf',
  'POST /api/auth/signup',
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/link',
  // Whether sign-up is open, for the sign-in and sign-up pages.
  'GET /api/auth/signup',
]);

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;
let owner: ApiClient;
let stranger: ApiClient;
const ids: Record<string, string> = {};
let routes: Array<{ method: string; path: string }>;
/** /api routes the OpenAPI document leaves out (the websocket), checked all the same. */
const UNDOCUMENTED = [{ method: 'GET', path: '/api/events' }];

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_matrix');
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'false' },
  });
  admin = new ApiClient(subject.app);
  await admin.signUp('admin@example.test');
  owner = new ApiClient(subject.app);
  const ownerUser = await owner.signUp('owner@example.test');
  stranger = new ApiClient(subject.app);
  await stranger.signUp('stranger@example.test');

  const { prisma } = subject.db;
  const accountId = randomUUID();
  const sealed = subject.app.keyring.seal(POP3_PASSWORD, accountId);
  const account = await prisma.pop3Account.create({
    data: {
      id: accountId,
      userId: ownerUser.id,
      label: 'Owner mail',
      host: 'pop.example.test',
      port: 995,
      username: 'owner',
      secretCiphertext: new Uint8Array(sealed.ciphertext),
      secretKeyId: sealed.keyId,
    },
  });
  const message = await prisma.message.create({
    data: {
      accountId: account.id,
      userId: ownerUser.id,
      uidl: 'm1',
      size: 10,
      date: new Date(),
      subject: 'Private',
      htmlBody: '<p>hi</p>',
    },
  });
  const attachment = await prisma.attachment.create({
    data: {
      messageId: message.id,
      filename: 'a.txt',
      contentType: 'text/plain',
      size: 2,
      sha256: 'x',
      content: new Uint8Array([104, 105]),
    },
  });
  const identity = await prisma.identity.create({
    data: {
      userId: ownerUser.id,
      accountId: account.id,
      name: 'Owner',
      address: 'owner@example.test',
      smtpHost: 'smtp.example.test',
      smtpPort: 587,
      smtpUsername: 'owner',
    },
  });
  const outboxItem = await prisma.outboxItem.create({
    data: {
      userId: ownerUser.id,
      identityId: identity.id,
      messageIdHeader: '<matrix@example.test>',
      envelopeFrom: 'owner@example.test',
      recipients: ['someone@example.test'],
      raw: new Uint8Array(Buffer.from('Subject: private\r\n\r\nhi\r\n')),
      status: 'failed',
    },
  });
  const draft = await prisma.draft.create({
    data: {
      userId: ownerUser.id,
      identityId: identity.id,
      subject: 'Private draft',
      attachments: {
        create: {
          filename: 'd.txt',
          contentType: 'text/plain',
          size: 2,
          sha256: 'x',
          content: new Uint8Array([104, 105]),
        },
      },
    },
    include: { attachments: true },
  });
  const conversation = await prisma.conversation.create({
    data: { userId: ownerUser.id, subject: 'Private' },
  });
  await prisma.message.update({
    where: { id: message.id },
    data: { conversationId: conversation.id },
  });
  const savedSearch = await prisma.savedSearch.create({
    data: { userId: ownerUser.id, name: 'Private', query: 'from:owner' },
  });
  Object.assign(ids, {
    savedSearchId: savedSearch.id,
    conversationId: conversation.id,
    draftId: draft.id,
    draftAttachmentId: draft.attachments[0]!.id,
    outboxItemId: outboxItem.id,
    identityId: identity.id,
    accountId: account.id,
    messageId: message.id,
    attachmentId: attachment.id,
    userId: ownerUser.id,
  });

  const doc = (await subject.app.inject({ url: '/api/docs/json' })).json<{
    paths: Record<string, Record<string, unknown>>;
  }>();
  routes = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
    );
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

function concrete(path: string, key: string): string {
  const filled = path
    .replace(
      '{attachmentId}',
      path.startsWith('/api/drafts') ? ids.draftAttachmentId! : ids.attachmentId!,
    )
    .replace('{provider}', 'generic')
    .replace('{index}', '0')
    .replace(
      '{id}',
      path.startsWith('/api/admin/users')
        ? ids.userId!
        : path.startsWith('/api/messages')
          ? ids.messageId!
          : path.startsWith('/api/identities')
            ? ids.identityId!
            : path.startsWith('/api/outbox')
              ? ids.outboxItemId!
              : path.startsWith('/api/drafts')
                ? ids.draftId!
                : path.startsWith('/api/conversations')
                  ? ids.conversationId!
                  : path.startsWith('/api/saved-searches')
                    ? ids.savedSearchId!
                    : ids.accountId!,
    );
  return `${filled}${QUERIES[key] ?? ''}`;
}

function body(key: string): unknown {
  const value = BODIES[key];
  return value === undefined
    ? undefined
    : JSON.parse(JSON.stringify(value).replace('{messageId}', ids.messageId!));
}

const call = (client: ApiClient, route: { method: string; path: string }) => {
  const key = `${route.method} ${route.path}`;
  return client.request(route.method as never, concrete(route.path, key), body(key));
};

describe('the authorization matrix', () => {
  it('has a valid body for every state-changing route the API documents', () => {
    const missing = routes
      .map((r) => `${r.method} ${r.path}`)
      .filter((key) => !key.startsWith('GET') && !PUBLIC.has(key) && !(key in BODIES));
    expect(missing).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('refuses anonymous callers on every non-public route', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => !PUBLIC.has(`${r.method} ${r.path}`))) {
      const response = await call(new ApiClient(subject.app), route);
      if (response.statusCode !== 401)
        answers.push(`${route.method} ${route.path} -> ${response.statusCode}`);
    }
    expect(answers).toEqual([]);
  });

  it('answers every non-public route, documented or not, with the one sign-in error', async () => {
    const answers: string[] = [];
    for (const route of [...routes, ...UNDOCUMENTED]) {
      if (PUBLIC.has(`${route.method} ${route.path}`)) continue;
      const response = await call(new ApiClient(subject.app), route);
      const code = response.statusCode === 401 ? response.json().error?.code : undefined;
      if (code !== 'UNAUTHENTICATED')
        answers.push(`${route.method} ${route.path} -> ${response.statusCode} ${response.body}`);
    }
    expect(answers).toEqual([]);
  });

  it('keeps the public routes public, and lists only routes that exist', async () => {
    const documented = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const answers: string[] = [];
    for (const key of PUBLIC) {
      const [method, path] = key.split(' ') as [string, string];
      if (!documented.has(key) && key !== 'GET /api/auth/csrf')
        answers.push(`${key} is not a route`);
      const response = await call(new ApiClient(subject.app), { method, path });
      if (response.statusCode === 404 || response.body.includes('UNAUTHENTICATED'))
        answers.push(`${key} -> ${response.statusCode} ${response.body}`);
    }
    expect(answers).toEqual([]);
  });

  it('refuses non-admins on every admin route', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => r.path.startsWith('/api/admin/'))) {
      const response = await call(stranger, route);
      if (response.statusCode !== 403)
        answers.push(`${route.method} ${route.path} -> ${response.statusCode}`);
    }
    expect(answers).toEqual([]);
  });

  it.each(['stranger', 'admin'] as const)(
    "answers 404 to the %s on every route that names another user's account, message or attachment",
    async (who) => {
      const client = who === 'admin' ? admin : stranger;
      const answers: string[] = [];
      const named = routes.filter(
        (r) => !r.path.startsWith('/api/admin/') && r.path.includes('{id}'),
      );
      expect(named.length).toBeGreaterThan(10);
      for (const route of named) {
        const response = await call(client, route);
        if (response.statusCode !== 404)
          answers.push(`${route.method} ${route.path} -> ${response.statusCode}`);
      }
      // Bulk changes ignore ids that are not the caller's and say which ones they changed: none.
      for (const key of BULK) {
        const [method, path] = key.split(' ') as [string, string];
        const response = await call(client, { method, path });
        if (response.statusCode !== 200 || response.json().ids.length !== 0)
          answers.push(`${key} -> ${response.body}`);
      }
      expect(answers).toEqual([]);
      // Nothing of the owner's changed.
      const message = await subject.db.prisma.message.findUniqueOrThrow({
        where: { id: ids.messageId },
      });
      expect(message).toMatchObject({ seen: false, flagged: false, trashedAt: null });
      expect(
        await subject.db.prisma.pop3Account.findUnique({ where: { id: ids.accountId } }),
      ).not.toBeNull();
      expect(
        await subject.db.prisma.draft.findUniqueOrThrow({
          where: { id: ids.draftId },
          include: { attachments: true },
        }),
      ).toMatchObject({ subject: 'Private draft', attachments: [{ filename: 'd.txt' }] });
    },
  );

  it('never puts a POP3 password or its sealed form in any reply', async () => {
    const sealed = await subject.db.prisma.pop3Account.findUniqueOrThrow({
      where: { id: ids.accountId },
    });
    const forbidden = [
      POP3_PASSWORD,
      Buffer.from(POP3_PASSWORD).toString('base64'),
      Buffer.from(sealed.secretCiphertext).toString('base64'),
      Buffer.from(sealed.secretCiphertext).toString('hex'),
    ];
    const leaks: string[] = [];
    for (const client of [owner, admin]) {
      for (const route of routes.filter((r) => r.method === 'GET')) {
        const response = await call(client, route);
        for (const secret of forbidden)
          if (response.body.includes(secret)) leaks.push(`${route.path}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
