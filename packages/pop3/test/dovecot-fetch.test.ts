import { createHash } from 'node:crypto';
import { generateCorpus } from '@popgate/pop3-server';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectTls, USER, useDovecot } from './support/dovecot';
import { largeMessage, trickyCorpus } from './support/tricky-corpus';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('fetching from Dovecot', () => {
  const dovecot = useDovecot();
  // The project's generated corpus (MIME, 8-bit, dot lines, bare LF, a 20 MB attachment)
  // followed by raw edge cases (NUL, bare CR, no final line break).
  const corpus = [
    ...generateCorpus({ count: 250, seed: 11, include20MB: true }).map((message) => message.body),
    ...trickyCorpus(100, 7),
  ];
  let expected: string[];

  beforeAll(async () => {
    await dovecot().clear(USER.username);
    for (const raw of corpus) await dovecot().deliver(USER.username, raw);
    expected = corpus.map((raw) => sha256(dovecot().expectedPop3Bytes(raw)));
  });

  it('fetches a few hundred generated and tricky messages byte-exactly with RETR, 20 MB one included', async () => {
    const client = await connectTls(dovecot());
    const { count } = await client.stat();
    expect(count).toBe(corpus.length);
    for (let n = 1; n <= count; n++) {
      expect(sha256(await client.retr(n)), `message ${n}`).toBe(expected[n - 1]);
    }
    await client.quit();
  });

  it('fetches the same bytes pipelined as sequentially', async () => {
    const numbers = corpus.map((_, index) => index + 1);
    const pipelined = await connectTls(dovecot(), { pipelining: { window: 16 } });
    expect(pipelined.pipelining).toBe(true);
    const got: string[] = [];
    const result = await pipelined.fetchMany(numbers, {
      onMessage: (n, bytes) => {
        got[n - 1] = sha256(bytes);
      },
    });
    expect(result).toEqual({ fetched: numbers, notFetched: [] });
    await pipelined.quit();

    const sequential = await connectTls(dovecot(), { pipelining: false });
    expect(sequential.pipelining).toBe(false);
    const again: string[] = [];
    await sequential.fetchMany(numbers, {
      onMessage: async (n, bytes) => {
        await new Promise((resolve) => setImmediate(resolve));
        again[n - 1] = sha256(bytes);
      },
    });
    await sequential.quit();
    expect(got).toEqual(expected);
    expect(again).toEqual(expected);
  });

  it('fetches headers only with TOP in a batch', async () => {
    const client = await connectTls(dovecot());
    const first = corpus.length - 3;
    const heads: Buffer[] = [];
    await client.fetchMany([first + 1, first + 2, first + 3], {
      command: { top: 0 },
      onMessage: (_, bytes) => void heads.push(bytes),
    });
    for (const [index, head] of heads.entries()) {
      const seq = 97 + index;
      expect(head.toString()).toBe(`Subject: message ${seq}\r\nX-Seq: ${seq}\r\n\r\n`);
    }
    await client.quit();
  });

  it('reports LIST sizes that match the bytes Dovecot sends', async () => {
    const client = await connectTls(dovecot());
    const sizes = await client.list();
    const retrieved = await client.retr(1);
    // Dovecot counts the message without the CRLF it adds when one is missing.
    expect([retrieved.length, retrieved.length - 2]).toContain(sizes[0]!.size);
    await client.quit();
  });
});

// 20 MB through TLS with a slow reader: seconds alone, much longer on a machine busy with other
// test files, so these get more than the project's default minute.
const LARGE_MESSAGE_TIMEOUT = 240_000;

describe('fetching a 20 MB message from Dovecot', () => {
  const dovecot = useDovecot();
  const big = largeMessage(20 * 1024 * 1024);

  beforeAll(async () => {
    await dovecot().clear(USER.username);
    await dovecot().deliver(USER.username, big);
  }, LARGE_MESSAGE_TIMEOUT);

  it(
    'returns it byte-exactly with RETR',
    async () => {
      const client = await connectTls(dovecot());
      const bytes = await client.retr(1);
      expect(bytes.length).toBe(big.length);
      expect(big.subarray(-2).toString()).toBe('\r\n');
      expect(sha256(bytes)).toBe(sha256(dovecot().expectedPop3Bytes(big)));
      await client.quit();
    },
    LARGE_MESSAGE_TIMEOUT,
  );

  it(
    'streams it with bounded buffering and the same bytes',
    async () => {
      const client = await connectTls(dovecot());
      const hash = createHash('sha256');
      let chunks = 0;
      // The iterator hands over everything buffered at once, so a chunk's size is what piled up.
      let mostBuffered = 0;
      let read = 0;
      let nextPause = 0;
      for await (const chunk of client.retrStream(1)) {
        hash.update(chunk as Buffer);
        chunks++;
        read += (chunk as Buffer).length;
        mostBuffered = Math.max(mostBuffered, (chunk as Buffer).length);
        // A slow reader: the socket must wait for it rather than pile data up. It stops after each
        // megabyte (20 pauses, not one per so many chunks: a busy machine's timers come late, and
        // thousands of small chunks made this test take minutes there).
        if (read >= nextPause) {
          nextPause += 1024 * 1024;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      expect(hash.digest('hex')).toBe(sha256(dovecot().expectedPop3Bytes(big)));
      expect(chunks).toBeGreaterThan(10);
      expect(mostBuffered).toBeLessThan(512 * 1024);
      await client.quit();
    },
    LARGE_MESSAGE_TIMEOUT,
  );

  it(
    'ends the session with LIMIT_EXCEEDED when the message is over maxMessageBytes',
    async () => {
      const client = await connectTls(dovecot(), { limits: { maxMessageBytes: 1024 * 1024 } });
      await expect(client.retr(1)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
      expect(client.state).toBe('closed');
    },
    LARGE_MESSAGE_TIMEOUT,
  );
});
