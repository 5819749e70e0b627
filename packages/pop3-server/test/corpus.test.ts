import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../src/index';
import { TRICKY_KINDS } from '../src/corpus';

const digest = (messages: Array<{ body: Buffer }>) => {
  const hash = createHash('sha256');
  for (const m of messages) hash.update(m.body);
  return hash.digest('hex');
};

const text = (body: Buffer) => body.toString('latin1');
const header = (body: Buffer, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'mi').exec(text(body))?.[1]?.trim();

describe('generateCorpus', () => {
  const corpus = generateCorpus({ count: 60, seed: 7 });
  const byKind = (kind: string) =>
    corpus.find((m) => m.name.endsWith(`-${kind}.eml`))?.body as Buffer;

  it('is the same for the same seed and different for another', () => {
    expect(digest(generateCorpus({ count: 60, seed: 7 }))).toBe(digest(corpus));
    expect(digest(generateCorpus({ count: 60, seed: 8 }))).not.toBe(digest(corpus));
  });

  it('opens with one message of every tricky kind', () => {
    expect(
      corpus.slice(0, TRICKY_KINDS.length).map((m) => m.name.replace(/^\d+-|\.eml$/g, '')),
    ).toEqual([...TRICKY_KINDS]);
  });

  it('gives every message a unique Message-ID and dates that move forward', () => {
    const ids = corpus.map((m) => header(m.body, 'Message-ID'));
    expect(new Set(ids).size).toBe(corpus.length);
    const dates = corpus.map((m) => Date.parse(header(m.body, 'Date') as string));
    expect(dates.every((d) => Number.isFinite(d))).toBe(true);
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect(dates.at(-1)! - dates[0]!).toBeGreaterThan(7 * 24 * 3600 * 1000);
  });

  it('uses CRLF everywhere except in the bare-LF message', () => {
    for (const message of corpus) {
      const bareLf = /(^|[^\r])\n/.test(text(message.body));
      expect(bareLf, message.name).toBe(message.name.includes('bare-lf'));
    }
    expect(text(byKind('bare-lf'))).not.toContain('\r');
  });

  it('contains dot-starting lines and a line that is only a dot', () => {
    const lines = text(byKind('dot-lines')).split('\r\n');
    expect(lines).toContain('.');
    expect(lines).toContain('..');
    expect(lines.some((line) => line.startsWith('.') && line.length > 2)).toBe(true);
  });

  it('contains an 8-bit latin-1 body that is not valid UTF-8', () => {
    const body = byKind('latin1-8bit');
    expect(header(body, 'Content-Type')).toMatch(/ISO-8859-1/);
    expect(body.includes(0xe9)).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(body)).toThrow();
  });

  it('encodes non-ASCII headers as RFC 2047 words', () => {
    const body = byKind('utf8-headers');
    expect(header(body, 'Subject')).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    const decoded = Buffer.from(/\?B\?(.*)\?=/.exec(header(body, 'Subject')!)![1]!, 'base64');
    expect(decoded.some((byte) => byte > 0x7f)).toBe(true);
    expect(header(body, 'From')).toMatch(/=\?UTF-8\?B\?/);
  });

  it('contains multipart/alternative HTML and a base64 attachment', () => {
    const html = text(byKind('html-alternative'));
    expect(html).toMatch(/Content-Type: multipart\/alternative; boundary="([^"]+)"/);
    expect(html).toContain('Content-Type: text/html');
    const attachment = text(byKind('attachment'));
    expect(attachment).toContain('Content-Disposition: attachment; filename=');
    expect(attachment).toContain('Content-Transfer-Encoding: base64');
  });

  it('contains lines far longer than 998 characters', () => {
    const lines = text(byKind('long-lines')).split('\r\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeGreaterThanOrEqual(10_000);
  });

  it('keeps ordinary messages within the requested size range', () => {
    const small = generateCorpus({ count: 30, sizes: { minTextBytes: 100, maxTextBytes: 300 } });
    for (const message of small.filter((m) => m.name.includes('plain'))) {
      expect(message.body.length).toBeLessThan(2_000);
    }
  });

  it('can end with a message of about 20 MB', () => {
    const withLarge = generateCorpus({ count: 3, include20MB: true });
    const last = withLarge.at(-1)!;
    expect(last.name).toContain('large-20mb');
    expect(last.body.length).toBeGreaterThan(19 * 1024 * 1024);
    expect(last.body.length).toBeLessThan(23 * 1024 * 1024);
  });
});
