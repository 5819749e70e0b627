import { deliveredBytes, generateCorpus } from '@popgate/pop3-server';
import { describe, expect, it } from 'vitest';
import { Pop3Client } from '../src/index';
import { recordLog, rejection } from './support/session-helpers';
import { eventually, optionsFor, simpleMessages, usePop3Servers } from './support/pop3-server';

describe('a server that fails in the middle of a transfer', () => {
  const startServer = usePop3Servers();

  it('reports CONNECTION_CLOSED when the server drops mid-RETR, and sends no QUIT', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(3) } });
    server.inject({ kind: 'drop-after-bytes', command: 'RETR', msg: 2, bytes: 120 });
    const client = await Pop3Client.connect(optionsFor(server));
    await client.dele(3);
    expect((await client.retr(1)).equals(deliveredBytes(server.mailbox('user')[0]!.body))).toBe(
      true,
    );
    const error = await rejection(client.retr(2));
    expect(error.code).toBe('CONNECTION_CLOSED');
    expect(client.state).toBe('closed');
    expect(server.stats.quits).toBe(0);
    expect(server.mailbox('user')).toHaveLength(3);
  });

  it('keeps every message received before the server drops mid-batch and reports the rest not fetched', async () => {
    const messages = simpleMessages(30);
    const server = await startServer({ mailboxes: { user: messages } });
    server.inject({ kind: 'drop-after-bytes', command: 'RETR', msg: 12, bytes: 200 });
    const { entries, log } = recordLog();
    const client = await Pop3Client.connect(optionsFor(server, { pipelining: { window: 8 }, log }));
    expect(client.pipelining).toBe(true);
    const received = new Map<number, Buffer>();
    const numbers = messages.map((_, index) => index + 1);
    const result = await client.fetchMany(numbers, {
      onMessage: (number, bytes) => void received.set(number, bytes),
    });
    expect(result.fetched).toEqual(numbers.slice(0, 11));
    expect(result.notFetched).toEqual(numbers.slice(11));
    expect(result.error?.code).toBe('CONNECTION_CLOSED');
    for (const [number, bytes] of received) {
      expect(bytes.equals(deliveredBytes(messages[number - 1]!.body)), `message ${number}`).toBe(
        true,
      );
    }
    // Pipelined: commands for later messages were already on the wire when the drop came.
    expect(entries.map((entry) => entry.line)).toContain('RETR 13');
    expect(server.stats.quits).toBe(0);
    expect(client.state).toBe('closed');
  });

  it('names the message a line over the limit cut off, with the start of what arrived of it', async () => {
    const messages = simpleMessages(4);
    messages[1] = {
      body: Buffer.from(`Subject: long line\r\n\r\n${'x'.repeat(5000)}\r\n`),
      uidl: 'long',
    };
    const server = await startServer({ mailboxes: { user: messages } });
    const client = await Pop3Client.connect(
      optionsFor(server, { pipelining: { window: 4 }, limits: { maxLineBytes: 1000 } }),
    );
    const result = await client.fetchMany([1, 2, 3, 4], { onMessage: () => {} });
    expect(result).toMatchObject({ fetched: [1], notFetched: [2, 3, 4] });
    expect(result.error).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxLineBytes' });
    expect(result.cutOff?.number).toBe(2);
    expect(result.cutOff?.head.toString()).toMatch(/^Subject: long line\r\n\r\nxxx/);
    expect(client.state).toBe('closed');
    expect(server.stats.quits).toBe(0);
  });

  it('times out a stalled answer with TIMEOUT and destroys the socket', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(2) } });
    server.inject({ kind: 'stall', command: 'RETR', afterBytes: 30 });
    const client = await Pop3Client.connect(optionsFor(server, { timeouts: { commandMs: 300 } }));
    const started = Date.now();
    const error = await rejection(client.retr(1));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(client.state).toBe('closed');
    await eventually(() => server.stats.activeSessions === 0);
    expect(server.stats.quits).toBe(0);
  });

  it('fails a pipelined batch on a stall with TIMEOUT, keeping what arrived before', async () => {
    const messages = simpleMessages(10);
    const server = await startServer({ mailboxes: { user: messages } });
    server.inject({ kind: 'stall', command: 'RETR', msg: 4 });
    const client = await Pop3Client.connect(optionsFor(server, { timeouts: { commandMs: 300 } }));
    const result = await client.fetchMany([1, 2, 3, 4, 5, 6], { onMessage: () => {} });
    expect(result).toMatchObject({ fetched: [1, 2, 3], notFetched: [4, 5, 6] });
    expect(result.error?.code).toBe('TIMEOUT');
  });

  it('fails with PROTOCOL on a garbage line and drops the connection', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(1) } });
    server.inject({ kind: 'garbage', command: 'STAT', line: 'HELLO THERE' });
    const client = await Pop3Client.connect(optionsFor(server));
    const error = await rejection(client.stat());
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain('HELLO THERE');
    expect(client.state).toBe('closed');
    await eventually(() => server.stats.activeSessions === 0);
  });

  it('delivers the real bytes when the server reports wrong sizes', async () => {
    const messages = simpleMessages(2);
    const server = await startServer({ mailboxes: { user: messages } });
    server.inject({ kind: 'wrong-size', msg: 1, reportedSize: 5 });
    const client = await Pop3Client.connect(optionsFor(server));
    expect((await client.list(1)).size).toBe(5);
    const bytes = await client.retr(1);
    expect(bytes.equals(deliveredBytes(messages[0]!.body))).toBe(true);
    await client.quit();
  });

  it('stops a never-ending answer at maxMessageBytes with LIMIT_EXCEEDED, memory bounded', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(1) } });
    server.inject({ kind: 'endless', command: 'RETR' });
    const limit = 4 * 1024 * 1024;
    const client = await Pop3Client.connect(
      optionsFor(server, { limits: { maxMessageBytes: limit } }),
    );
    const before = process.memoryUsage().arrayBuffers;
    const error = await rejection(client.retr(1));
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(grown).toBeLessThan(limit * 4);
    expect(client.state).toBe('closed');
    await eventually(() => server.stats.activeSessions === 0);
  });

  it('stops a never-ending LIST too', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(1) } });
    server.inject({ kind: 'endless', command: 'LIST' });
    const client = await Pop3Client.connect(
      optionsFor(server, { limits: { maxMessageBytes: 256 * 1024 } }),
    );
    expect((await rejection(client.list())).code).toBe('LIMIT_EXCEEDED');
  });

  it('preserves bare LF and bare CR exactly as the server sends them', async () => {
    const body = Buffer.from('Subject: lf\n\nline one\nline two\r\n.dot after LF\nbare\rCR\r\n');
    const server = await startServer({ mailboxes: { user: [{ body }] } });
    const client = await Pop3Client.connect(optionsFor(server));
    expect((await client.retr(1)).equals(body)).toBe(true);
    await client.quit();
  });

  it('fetches a generated corpus byte-exactly, pipelined and one by one', async () => {
    const corpus = generateCorpus({ count: 60, seed: 3 });
    const server = await startServer({ mailboxes: { user: corpus.map(({ body }) => ({ body })) } });
    const numbers = corpus.map((_, index) => index + 1);
    for (const pipelining of [true, false]) {
      const client = await Pop3Client.connect(optionsFor(server, { pipelining }));
      const result = await client.fetchMany(numbers, {
        onMessage: (number, bytes) => {
          expect(
            bytes.equals(deliveredBytes(corpus[number - 1]!.body)),
            corpus[number - 1]!.name,
          ).toBe(true);
        },
      });
      expect(result.fetched).toEqual(numbers);
      await client.quit();
    }
  });

  it('ends the session at once when the AbortSignal fires, without QUIT', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(1) } });
    server.inject({ kind: 'stall', command: 'RETR' });
    const controller = new AbortController();
    const client = await Pop3Client.connect(optionsFor(server, { signal: controller.signal }));
    const pending = rejection(client.retr(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = Date.now();
    controller.abort();
    const error = await pending;
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(client.state).toBe('closed');
    await eventually(() => server.stats.activeSessions === 0);
    expect(server.stats.quits).toBe(0);
  });

  it('does not even connect when the signal has already fired', async () => {
    const server = await startServer();
    const error = await rejection(
      Pop3Client.connect(optionsFor(server, { signal: AbortSignal.abort() })),
    );
    expect(error.code).toBe('ABORTED');
  });

  it('drops an idle session without QUIT after idleMs', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(1) } });
    const client = await Pop3Client.connect(optionsFor(server, { timeouts: { idleMs: 150 } }));
    await client.dele(1);
    await eventually(() => client.state === 'closed');
    expect(client.closeReason?.code).toBe('TIMEOUT');
    expect(server.stats.quits).toBe(0);
    expect(server.mailbox('user')).toHaveLength(1);
  });
});

describe('a command refused in the middle of a batch', () => {
  const startServer = usePop3Servers();

  it('hands over the answers already in flight, stops asking, and needs RSET', async () => {
    const messages = simpleMessages(12);
    const server = await startServer({ mailboxes: { user: messages } });
    server.inject({ kind: 'err', command: 'RETR', msg: 5, text: '-ERR message is locked' });
    const client = await Pop3Client.connect(optionsFor(server, { pipelining: { window: 4 } }));
    const numbers = messages.map((_, index) => index + 1);
    const result = await client.fetchMany(numbers, {
      onMessage: (number, bytes) => {
        expect(bytes.equals(deliveredBytes(messages[number - 1]!.body))).toBe(true);
      },
    });
    expect(result.error).toMatchObject({ code: 'COMMAND_FAILED', serverText: 'message is locked' });
    expect(result.fetched).not.toContain(5);
    expect(result.fetched.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect([...result.fetched, ...result.notFetched].sort((a, b) => a - b)).toEqual(numbers);
    expect(result.notFetched.length).toBeGreaterThan(1);
    expect(client.state).toBe('needs-reset');
    await expect(client.quit()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await client.rset();
    expect((await client.retr(5)).equals(deliveredBytes(messages[4]!.body))).toBe(true);
    await client.quit();
  });

  it('rejects with the error onMessage threw, after the answers in flight are read', async () => {
    const server = await startServer({ mailboxes: { user: simpleMessages(10) } });
    const client = await Pop3Client.connect(optionsFor(server));
    const failure = new Error('disk full');
    const handed: number[] = [];
    await expect(
      client.fetchMany([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], {
        onMessage: (number) => {
          handed.push(number);
          if (number === 3) throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(handed).toEqual([1, 2, 3]);
    expect(client.state).toBe('needs-reset');
    await client.rset();
    expect((await client.stat()).count).toBe(10);
    await client.quit();
  });
});
