import { generateCorpus } from '@popgate/pop3-server';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../src/mail/parse-message';
import { dateOf, endingAt, redate } from '../src/demo-mail-dates';

const corpus = generateCorpus({ count: 30, seed: 7 }).map((message) => message.body);

describe("the demo mailbox's dates", () => {
  it('dates new mail now, the rest of the message byte for byte as it was', async () => {
    const now = new Date('2026-12-07T13:14:35Z');
    for (const original of corpus) {
      const fresh = redate(original, now);
      expect(fresh.toString('latin1')).toMatch(/^Date: Mon, 07 Dec 2026 13:14:35 \+0000\r?$/mu);
      const parsed = await parseMessage(fresh);
      expect(parsed.date?.toISOString()).toBe(now.toISOString());
      const withoutDate = (bytes: Buffer) => bytes.toString('latin1').replace(/^Date:.*$/mu, '');
      expect(withoutDate(fresh)).toBe(withoutDate(original));
    }
  });

  it('moves the mailbox forward as a whole: its newest message is recent, the gaps kept', () => {
    const newest = new Date('2026-12-07T12:00:00Z');
    const before = corpus.map((message) => dateOf(message)!.getTime());
    expect(Math.max(...before)).toBeLessThan(Date.UTC(2024, 0, 1));
    const after = endingAt(corpus, newest).map((message) => dateOf(message)!.getTime());
    expect(Math.max(...after)).toBe(newest.getTime());
    const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);
    expect(gaps(after)).toEqual(gaps(before));
  });

  it('adds a Date header to a message that has none', () => {
    const bare = Buffer.from('From: a@example.test\r\nSubject: hi\r\n\r\nbody\r\n');
    const dated = redate(bare, new Date('2026-12-07T00:00:00Z'));
    expect(dated.toString()).toBe(
      'Date: Mon, 07 Dec 2026 00:00:00 +0000\r\nFrom: a@example.test\r\nSubject: hi\r\n\r\nbody\r\n',
    );
  });
});
