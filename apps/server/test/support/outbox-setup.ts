import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DraftOut, IdentityOut, OutboxItemOut } from '@popgate/contracts';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createPrismaClient } from '../../src/db/prisma';
import type { SenderOptions } from '../../src/outbox/sender';
import { loadSecretKey } from '../../src/secret-key';
import { ApiClient } from './api-client';

/**
 * A Popgate app that runs the outbox sender (quick polling), on `databaseUrl`. Several of them on
 * one database are several Popgate processes.
 */
export async function senderApp(
  databaseUrl: string,
  options: {
    sender?: Partial<Omit<SenderOptions, 'instanceId'>>;
    send?: boolean;
    env?: Record<string, string>;
    secretKey?: Buffer;
  } = {},
) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-outbox-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
    POPGATE_UNDO_SEND_SECONDS: '0',
    ...options.env,
    DATABASE_URL: databaseUrl,
    POPGATE_DATA_DIR: dataDir,
    ...(options.secretKey && { POPGATE_SECRET_KEY: options.secretKey.toString('base64') }),
  });
  const prisma = createPrismaClient(databaseUrl, 6);
  const app = await buildApp({
    config,
    db: {
      prisma,
      url: databaseUrl,
      embedded: false,
      appliedMigrations: [],
      close: () => prisma.$disconnect(),
    },
    secretKey: loadSecretKey(config.secretKey, dataDir),
    poll: false,
    send: options.send === false ? false : { options: { pollMs: 50, ...options.sender } },
  });
  await app.ready();
  return {
    app,
    prisma,
    async close() {
      await app.close();
      await prisma.$disconnect();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SmtpServerSettings {
  host?: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  username: string;
  password: string;
  tls?: { caPem?: string; pinSha256?: string };
}

/** A signed-in user with an account and an identity sending through `smtp`. */
export async function userWithIdentity(
  app: FastifyInstance,
  smtp: SmtpServerSettings,
  address = `sender-${randomBytes(3).toString('hex')}@example.test`,
) {
  const browser = new ApiClient(app);
  const user = await browser.signUp(`someone-${randomBytes(4).toString('hex')}@example.test`);
  const id = crypto.randomUUID();
  const sealed = app.keyring.seal(smtp.password, id);
  const account = await app.db.prisma.pop3Account.create({
    data: {
      id,
      userId: user.id,
      label: 'Mail',
      host: smtp.host ?? '127.0.0.1',
      port: 995,
      username: smtp.username,
      secretCiphertext: new Uint8Array(sealed.ciphertext),
      secretKeyId: sealed.keyId,
    },
  });
  const response = await browser.post('/api/identities', {
    accountId: account.id,
    name: 'Popgate Sender',
    address,
    smtp: {
      host: smtp.host ?? '127.0.0.1',
      port: smtp.port,
      security: smtp.security,
      username: smtp.username,
      password: smtp.password,
      ...(smtp.tls && { tls: smtp.tls }),
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { browser, user, account, identity: response.json<IdentityOut>() };
}

/** A draft of the user's, through the API. */
export async function createDraft(
  browser: ApiClient,
  identityId: string,
  fields: { to: string[]; subject: string; text?: string; html?: string | null },
): Promise<DraftOut> {
  const response = await browser.post('/api/drafts', {
    identityId,
    to: fields.to.map((address) => ({ name: '', address })),
    subject: fields.subject,
    text: fields.text ?? `Body of ${fields.subject}`,
    ...(fields.html !== undefined && { html: fields.html }),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<DraftOut>();
}

export async function sendDraft(browser: ApiClient, draftId: string): Promise<OutboxItemOut> {
  const response = await browser.post(`/api/drafts/${draftId}/send`);
  expect(response.statusCode, response.body).toBe(202);
  return response.json<OutboxItemOut>();
}

/** Polls GET /api/outbox until the item satisfies `done` (or fails the test after `ms`). */
export async function waitForItem(
  browser: ApiClient,
  id: string,
  done: (item: OutboxItemOut) => boolean,
  ms = 15_000,
): Promise<OutboxItemOut> {
  const deadline = Date.now() + ms;
  let last: OutboxItemOut | undefined;
  while (Date.now() < deadline) {
    const list = (await browser.get('/api/outbox')).json<{ items: OutboxItemOut[] }>();
    last = list.items.find((item) => item.id === id);
    if (last && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`outbox item ${id} never got there; last seen: ${JSON.stringify(last)}`);
}

/** Every message in a Dovecot user's maildir, by Message-ID: how many copies of each. */
export async function maildirCopies(maildir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const folder of ['new', 'cur']) {
    for (const name of await readdir(`${maildir}/${folder}`)) {
      const text = (await readFile(`${maildir}/${folder}/${name}`)).toString('latin1');
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(text)?.[1];
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}
