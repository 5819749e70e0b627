import { describe, expect, it } from 'vitest';
import { expectedPop3Bytes } from '../src/line-endings';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('expectedPop3Bytes', () => {
  it('keeps CRLF messages unchanged', () => {
    expect(expectedPop3Bytes(bytes('A: b\r\n\r\nbody\r\n'))).toEqual(bytes('A: b\r\n\r\nbody\r\n'));
  });

  it('turns bare LF into CRLF', () => {
    expect(expectedPop3Bytes(bytes('A: b\n\nbody\n'))).toEqual(bytes('A: b\r\n\r\nbody\r\n'));
  });

  it('leaves a bare CR alone', () => {
    expect(expectedPop3Bytes(bytes('x\ry\r\n'))).toEqual(bytes('x\ry\r\n'));
  });

  it('adds CRLF when the message does not end with a newline', () => {
    expect(expectedPop3Bytes(bytes('A: b\r\n\r\nno end'))).toEqual(bytes('A: b\r\n\r\nno end\r\n'));
    expect(expectedPop3Bytes(bytes('ends in CR\r'))).toEqual(bytes('ends in CR\r\r\n'));
  });
});
