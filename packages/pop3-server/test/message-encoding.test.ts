import { describe, expect, it } from 'vitest';
import { deliveredBytes, dotStuff, topOfMessage } from '../src/message-encoding';

const b = (text: string) => Buffer.from(text, 'latin1');

describe('deliveredBytes', () => {
  it('keeps a body that ends with CRLF', () => {
    expect(deliveredBytes(b('a\r\nb\r\n'))).toEqual(b('a\r\nb\r\n'));
  });

  it('adds CRLF to a body that does not end with CRLF, bare LF included', () => {
    expect(deliveredBytes(b('a\r\nb'))).toEqual(b('a\r\nb\r\n'));
    expect(deliveredBytes(b('a\nb\n'))).toEqual(b('a\nb\n\r\n'));
    expect(deliveredBytes(b(''))).toEqual(b('\r\n'));
  });
});

describe('dotStuff', () => {
  it('doubles a leading dot on every line and terminates with a lone dot', () => {
    expect(dotStuff(b('.\r\n..\r\nx.\r\n.y\r\n'))).toEqual(b('..\r\n...\r\nx.\r\n..y\r\n.\r\n'));
  });

  it('treats a bare LF as the start of a new line', () => {
    expect(dotStuff(b('a\n.\nb\r\n'))).toEqual(b('a\n..\nb\r\n.\r\n'));
  });

  it('leaves bare LF and bare CR bytes untouched', () => {
    expect(dotStuff(b('a\rb\nc\r\n'))).toEqual(b('a\rb\nc\r\n.\r\n'));
  });
});

describe('topOfMessage', () => {
  const mail = b('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n');

  it('returns the header and the blank line for 0 lines', () => {
    expect(topOfMessage(mail, 0)).toEqual(b('A: 1\r\nB: 2\r\n\r\n'));
  });

  it('adds the first n body lines', () => {
    expect(topOfMessage(mail, 2)).toEqual(b('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n'));
  });

  it('returns the whole message when n exceeds its body', () => {
    expect(topOfMessage(mail, 99)).toEqual(mail);
  });

  it('splits bare-LF messages too', () => {
    expect(topOfMessage(b('A: 1\n\nl1\nl2\n\r\n'), 1)).toEqual(b('A: 1\n\nl1\n'));
  });
});
