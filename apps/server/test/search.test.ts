import { findMatches, type MessageDetail } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support/app';
import { EXPECTED, expectFound, search, seedCorpus } from './support/search-corpus';
import { foldMismatches } from './support/search-fold';

let subject: Awaited<ReturnType<typeof testApp>>;
let mailbox: Awaited<ReturnType<typeof seedCorpus>>;
beforeAll(async () => {
  subject = await testApp();
  mailbox = await seedCorpus(subject.app, subject.app.db.prisma);
});
afterAll(async () => {
  await subject?.close();
});

describe('search in every language, with Gmail’s operators (PostgreSQL)', () => {
  it.each(EXPECTED)('%s finds exactly what it should', async (q, subjects) => {
    await expectFound(mailbox.client, q, subjects);
  });

  it('ranks a subject hit above a body hit, then the newest', async () => {
    const found = (await search(mailbox.client, 'invoice')).items.map((item) => item.subject);
    expect(found).toEqual(['Invoice Q3', 'Rechnung von Jürgen', 'Lunch tomorrow']);
  });

  it('centres the snippet on the hit and marks the searched words in it', async () => {
    const [item] = (await search(mailbox.client, 'subject:lunch talk')).items;
    expect(item!.snippet).toContain('talk about the invoice');
    const marked = item!.highlights!.map((r) => item!.snippet.slice(r.start, r.end));
    expect(marked).toEqual(['talk', 'lunch']);
    const [jurgen] = (await search(mailbox.client, 'jurgen')).items;
    expect(jurgen!.highlights).toEqual([]);
    const [report] = (await search(mailbox.client, 'отчет')).items;
    expect(report!.highlights!.map((r) => report!.snippet.slice(r.start, r.end))).toEqual([
      'отчёт',
    ]);
  });

  it('pages a search by rank then recency without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const extra: string = `&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await search(mailbox.client, 'invoice OR lunch OR 会議', extra);
      seen.push(...page.items.map((item) => item.subject));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(new Set(seen).size);
    const all = (await search(mailbox.client, 'invoice OR lunch OR 会議')).items;
    expect(seen).toEqual(all.map((item) => item.subject));
    expect(seen).toHaveLength(5);
  });

  it('answers 400 INVALID_QUERY with the position of a query it cannot read', async () => {
    const response = await mailbox.client.get(
      `/api/messages?q=${encodeURIComponent('form:carol')}`,
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: 'INVALID_QUERY',
        message: 'unknown operator "form:" at 1 — did you mean from:?',
        position: 1,
      },
    });
    const date = await mailbox.client.get(
      `/api/messages?q=${encodeURIComponent('after:2024/13/01')}`,
    );
    expect(date.json()).toMatchObject({ error: { code: 'INVALID_QUERY', position: 7 } });
  });

  it('folds a page’s bodies for the snippet window as the search folds text', async () => {
    expect(await foldMismatches(subject.app.db.prisma)).toEqual([]);
  });

  it('answers the words to mark in a message opened from a search', async () => {
    const [item] = (await search(mailbox.client, 'отчет')).items;
    const response = await mailbox.client.get(
      `/api/messages/${item!.id}?q=${encodeURIComponent('отчет -lunch from:ivan')}`,
    );
    expect(response.statusCode).toBe(200);
    const detail = response.json<MessageDetail>();
    expect(detail.searchTerms).toEqual(['отчет']);
    const ranges = findMatches(detail.text!, detail.searchTerms!);
    expect(ranges.map((r) => detail.text!.slice(r.start, r.end))).toEqual(['отчёт']);
  });
});
