import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrations';
import { testApp } from './support/app';
import { EXPECTED, expectFound, search, seedCorpus } from './support/search-corpus';
import { foldMismatches } from './support/search-fold';

const MIGRATIONS = path.resolve(__dirname, '../../../prisma/migrations');

let embedded: EmbeddedPostgres;
let subject: Awaited<ReturnType<typeof testApp>>;
let mailbox: Awaited<ReturnType<typeof seedCorpus>>;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-search-embedded-'));
beforeAll(async () => {
  embedded = await startEmbeddedPostgres(dataDir);
  await applyMigrations(embedded.url, MIGRATIONS);
  subject = await testApp({ databaseUrl: embedded.url });
  mailbox = await seedCorpus(subject.app, subject.app.db.prisma);
});
afterAll(async () => {
  await subject?.close();
  await embedded?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('search on the embedded database (PGlite, with unaccent)', () => {
  it('finds the same messages as on PostgreSQL for every query of the table', async () => {
    for (const [q, subjects] of EXPECTED) await expectFound(mailbox.client, q, subjects);
  });

  it('ranks and pages the same way', async () => {
    const found = (await search(mailbox.client, 'invoice')).items.map((item) => item.subject);
    expect(found).toEqual(['Invoice Q3', 'Rechnung von Jürgen', 'Lunch tomorrow']);
    const first = await search(mailbox.client, 'invoice', '&limit=2');
    const rest = await search(
      mailbox.client,
      'invoice',
      `&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect([...first.items, ...rest.items].map((item) => item.subject)).toEqual(found);
  });

  it('folds a page’s bodies for the snippet window as the search folds text', async () => {
    expect(await foldMismatches(subject.app.db.prisma)).toEqual([]);
  });
});
