import { describe, expect, it } from 'vitest';
import { Pop3Error } from '../src/errors';
import { MultilineDecoder } from '../src/protocol/multiline-decoder';

const GENEROUS = { maxLineBytes: 1 << 20, maxBodyBytes: 1 << 24 };

/** What a correct server sends for `message`: lines starting with "." get one more. */
function stuff(message: Buffer): Buffer {
  const out: Buffer[] = [];
  let lineStart = 0;
  while (lineStart < message.length) {
    const lf = message.indexOf(0x0a, lineStart);
    const lineEnd = lf === -1 ? message.length : lf + 1;
    if (message[lineStart] === 0x2e) out.push(Buffer.from('.'));
    out.push(message.subarray(lineStart, lineEnd));
    lineStart = lineEnd;
  }
  out.push(Buffer.from('.\r\n'));
  return Buffer.concat(out);
}

interface Decoded {
  body: Buffer;
  /** Offset of the first byte after the terminator, in the concatenated input. */
  after: number;
}

/** Feeds `chunks` in order and returns the body and where it ended. */
function decode(chunks: Buffer[], limits = GENEROUS): Decoded {
  const decoder = new MultilineDecoder(limits);
  const pieces: Buffer[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const after = decoder.push(chunk, 0, (piece) => pieces.push(Buffer.from(piece)));
    if (after !== -1) return { body: Buffer.concat(pieces), after: offset + after };
    offset += chunk.length;
  }
  throw new Error('the body never ended');
}

function splitAt(wire: Buffer, ...cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(wire.subarray(from, cut));
    from = cut;
  }
  chunks.push(wire.subarray(from));
  return chunks.filter((chunk) => chunk.length > 0);
}

const TRICKY_MESSAGES: Record<string, Buffer> = {
  'empty message': Buffer.alloc(0),
  'a line that is only a dot': Buffer.from('Subject: x\r\n\r\n.\r\nafter\r\n'),
  'dots at the start of lines': Buffer.from('.\r\n..\r\n...\r\n.x\r\n..y\r\n'),
  'a dot line first': Buffer.from('.first\r\nsecond\r\n'),
  'dot then bare CR': Buffer.from('.\rX\r\n.\r\r\n'),
  'bare LF lines, some starting with dots': Buffer.from('a\n.\n..\nb\n.\r\n'),
  'ends with a bare LF': Buffer.from('header: v\n\nbody\n'),
  'bare CR without LF': Buffer.from('a\rb\r.c\r\n'),
  '8-bit and non-UTF-8 bytes': Buffer.concat([
    Buffer.from('Subject: =?x?=\r\n\r\n'),
    Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0d, 0x0a, 0x2e, 0xe9, 0x0d, 0x0a]),
  ]),
  'CRLF dot CRLF inside a line is just data': Buffer.from('text \r\n. \r\n.\t\r\nend\r\n'),
  'blank lines around a dot line': Buffer.from('\r\n\r\n.\r\n\r\n'),
};

describe('multi-line decoding', () => {
  for (const [name, message] of Object.entries(TRICKY_MESSAGES)) {
    const wire = stuff(message);

    it(`returns the exact bytes in one chunk: ${name}`, () => {
      const decoded = decode([wire]);
      expect(decoded.body.equals(message)).toBe(true);
      expect(decoded.after).toBe(wire.length);
    });

    it(`returns the exact bytes whatever single byte position the chunks split at: ${name}`, () => {
      for (let cut = 1; cut < wire.length; cut++) {
        const decoded = decode(splitAt(wire, cut));
        expect(decoded.body.toString('latin1'), `cut at ${cut}`).toBe(message.toString('latin1'));
        expect(decoded.after).toBe(wire.length);
      }
    });

    it(`returns the exact bytes for every pair of split positions: ${name}`, () => {
      for (let first = 1; first < wire.length; first++) {
        for (let second = first + 1; second < wire.length; second++) {
          const decoded = decode(splitAt(wire, first, second));
          expect(decoded.body.equals(message), `cuts at ${first}, ${second}`).toBe(true);
        }
      }
    });

    it(`returns the exact bytes when fed one byte at a time: ${name}`, () => {
      const bytes = [...wire].map((byte) => Buffer.from([byte]));
      expect(decode(bytes).body.equals(message)).toBe(true);
    });
  }

  it('stops right after the terminator and leaves the next response alone', () => {
    const wire = Buffer.concat([stuff(Buffer.from('one\r\n')), Buffer.from('+OK next\r\n')]);
    for (let cut = 1; cut < wire.length; cut++) {
      const decoded = decode(splitAt(wire, cut));
      expect(decoded.body.toString()).toBe('one\r\n');
      expect(decoded.after).toBe(wire.length - '+OK next\r\n'.length);
    }
  });

  it('keeps the CRLF before the terminator as part of the message', () => {
    expect(decode([Buffer.from('abc\r\n.\r\n')]).body.toString()).toBe('abc\r\n');
  });

  it('ends an empty body at once', () => {
    const decoded = decode([Buffer.from('.\r\n+OK')]);
    expect(decoded.body.length).toBe(0);
    expect(decoded.after).toBe(3);
  });

  it('does not treat a dot line ended by a bare LF as the terminator', () => {
    const decoded = decode([Buffer.from('a\r\n.\nb\r\n.\r\n')]);
    expect(decoded.body.toString()).toBe('a\r\n.\nb\r\n');
  });

  it('keeps a dot a sloppy server forgot to stuff', () => {
    expect(decode([Buffer.from('.signature\r\n.\r\n')]).body.toString()).toBe('.signature\r\n');
  });

  it('keeps unstuffed dot lines as sent, wherever the chunks split', () => {
    const sloppy: Array<[wire: string, body: string]> = [
      ['.\rX\r\n.\r\n', '.\rX\r\n'],
      ['.x\r\n.\n.y\r\n.\r\n', '.x\r\n.\n.y\r\n'],
      ['a\n.\r\n', 'a\n'],
    ];
    for (const [wireText, body] of sloppy) {
      const wire = Buffer.from(wireText, 'latin1');
      for (let cut = 1; cut < wire.length; cut++) {
        expect(
          decode(splitAt(wire, cut)).body.toString('latin1'),
          `${JSON.stringify(wireText)} cut at ${cut}`,
        ).toBe(body);
      }
    }
  });

  it('removes exactly one dot from each stuffed line', () => {
    expect(decode([Buffer.from('....\r\n.\r\n')]).body.toString()).toBe('...\r\n');
  });

  it('can be reset and reused for the next body', () => {
    const decoder = new MultilineDecoder(GENEROUS);
    const first: Buffer[] = [];
    const second: Buffer[] = [];
    // The first body ends in the middle of a chunk that starts the second.
    const wire = Buffer.from('a\r\n.\r\n..b\r\n.\r\n');
    const after = decoder.push(wire, 0, (piece) => first.push(piece));
    expect(after).toBe(6);
    expect(decoder.push(wire, after, (piece) => second.push(piece))).toBe(wire.length);
    expect(Buffer.concat(first).toString()).toBe('a\r\n');
    expect(Buffer.concat(second).toString()).toBe('.b\r\n');
  });

  it('hands out views of the chunk rather than copies on the common path', () => {
    const wire = Buffer.from('plain line\r\nanother\r\n.\r\n');
    const pieces: Buffer[] = [];
    new MultilineDecoder(GENEROUS).push(wire, 0, (piece) => pieces.push(piece));
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.buffer).toBe(wire.buffer);
  });
});

describe('multi-line limits', () => {
  function expectLimit(run: () => unknown): void {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(Pop3Error);
      expect((error as Pop3Error).code).toBe('LIMIT_EXCEEDED');
      return;
    }
    throw new Error('expected LIMIT_EXCEEDED');
  }

  it('accepts a line exactly at the line limit', () => {
    const line = `${'x'.repeat(8)}\r\n`; // 9 bytes before the LF
    expect(
      decode([Buffer.from(`${line}.\r\n`)], {
        maxLineBytes: 9,
        maxBodyBytes: 1000,
      }).body.toString(),
    ).toBe(line);
  });

  it('refuses a line one byte over the line limit', () => {
    expectLimit(() =>
      decode([Buffer.from(`${'x'.repeat(9)}\r\n.\r\n`)], { maxLineBytes: 9, maxBodyBytes: 1000 }),
    );
  });

  it('measures a long line across many chunks', () => {
    const chunks = Array.from({ length: 20 }, () => Buffer.from('y'.repeat(10)));
    expectLimit(() => decode(chunks, { maxLineBytes: 150, maxBodyBytes: 1 << 20 }));
  });

  it('forgets the length of a line once it ends, even in another chunk', () => {
    const chunks = [
      Buffer.from('a'.repeat(90)),
      Buffer.from('\r\n' + 'b'.repeat(90)),
      Buffer.from('\r\n.\r\n'),
    ];
    expect(decode(chunks, { maxLineBytes: 100, maxBodyBytes: 1 << 20 }).body.length).toBe(184);
  });

  it('refuses a body larger than the size limit', () => {
    const line = Buffer.from('0123456789abcde\r\n');
    const chunks = Array.from({ length: 100 }, () => line);
    expectLimit(() => decode(chunks, { maxLineBytes: 1000, maxBodyBytes: 1000 }));
  });

  it('accepts a body just under the size limit', () => {
    const body = Buffer.from('z'.repeat(90) + '\r\n');
    expect(
      decode([body, Buffer.from('.\r\n')], { maxLineBytes: 1000, maxBodyBytes: 95 }).body.length,
    ).toBe(92);
  });
});
