import { describe, expect, it } from 'vitest';
import { parseCapabilities } from '../src/capabilities';
import { parseUidListing } from '../src/commands/uidl';
import { Pop3Error } from '../src/errors';
import { parseGreeting } from '../src/greeting';
import type { ResponseHandler } from '../src/protocol/response-handler';
import {
  errorCodeForResponseCode,
  errorFromNegativeResponse,
  splitResponseCode,
} from '../src/protocol/response-code';
import { ResponseReader } from '../src/protocol/response-reader';
import { parseStatusLine, type StatusLine } from '../src/protocol/status-line';

describe('status lines', () => {
  it('reads +OK and -ERR with and without text', () => {
    expect(parseStatusLine(Buffer.from('+OK 2 320\r'))).toEqual({ kind: 'ok', text: '2 320' });
    expect(parseStatusLine(Buffer.from('+OK'))).toEqual({ kind: 'ok', text: '' });
    expect(parseStatusLine(Buffer.from('-ERR no such message'))).toEqual({
      kind: 'err',
      text: 'no such message',
    });
    expect(parseStatusLine(Buffer.from('-ERR'))).toEqual({ kind: 'err', text: '' });
  });

  it('accepts lower-case indicators some servers send', () => {
    expect(parseStatusLine(Buffer.from('+ok fine')).kind).toBe('ok');
    expect(parseStatusLine(Buffer.from('-err nope')).kind).toBe('err');
  });

  it('reads SASL continuations, empty or with data', () => {
    expect(parseStatusLine(Buffer.from('+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+'))).toEqual({
      kind: 'continue',
      text: 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+',
    });
    expect(parseStatusLine(Buffer.from('+ '))).toEqual({ kind: 'continue', text: '' });
    expect(parseStatusLine(Buffer.from('+'))).toEqual({ kind: 'continue', text: '' });
  });

  it('calls anything else a protocol error', () => {
    for (const line of ['HELLO', '+OKAY', '-ERROR x', '', '* OK IMAP4 ready']) {
      expect(() => parseStatusLine(Buffer.from(line)), line).toThrowError(
        expect.objectContaining({ code: 'PROTOCOL' }),
      );
    }
  });
});

describe('extended response codes', () => {
  it('splits the code from the text', () => {
    expect(splitResponseCode('[SYS/TEMP] try later')).toEqual({
      responseCode: 'SYS/TEMP',
      text: 'try later',
    });
    expect(splitResponseCode('[in-use] locked')).toEqual({
      responseCode: 'IN-USE',
      text: 'locked',
    });
    expect(splitResponseCode('no code here')).toEqual({ text: 'no code here' });
    expect(splitResponseCode('[not a code] text')).toEqual({ text: '[not a code] text' });
  });

  it('maps each RFC 2449 and RFC 3206 code to its error code', () => {
    expect(errorCodeForResponseCode('AUTH')).toBe('AUTH_FAILED');
    expect(errorCodeForResponseCode('IN-USE')).toBe('IN_USE');
    expect(errorCodeForResponseCode('LOGIN-DELAY')).toBe('LOGIN_DELAY');
    expect(errorCodeForResponseCode('SYS/TEMP')).toBe('SYS_TEMP');
    expect(errorCodeForResponseCode('SYS/PERM')).toBe('SYS_PERM');
    expect(errorCodeForResponseCode('UTF8')).toBeUndefined();
    expect(errorCodeForResponseCode(undefined)).toBeUndefined();
  });

  it('treats an unknown child of a known code as its parent', () => {
    expect(errorCodeForResponseCode('SYS/TEMP/DISK')).toBe('SYS_TEMP');
    expect(errorCodeForResponseCode('AUTHX')).toBeUndefined();
  });

  it('builds a typed error carrying code, server text and command', () => {
    const error = errorFromNegativeResponse('[LOGIN-DELAY] wait 5 minutes', 'PASS', 'AUTH_FAILED');
    expect(error).toBeInstanceOf(Pop3Error);
    expect(error.code).toBe('LOGIN_DELAY');
    expect(error.responseCode).toBe('LOGIN-DELAY');
    expect(error.serverText).toBe('wait 5 minutes');
    expect(error.command).toBe('PASS');
    expect(errorFromNegativeResponse('bad password', 'PASS', 'AUTH_FAILED').code).toBe(
      'AUTH_FAILED',
    );
    expect(errorFromNegativeResponse('no such message', 'RETR 9').code).toBe('COMMAND_FAILED');
    expect(errorFromNegativeResponse('[UTF8] needs UTF8', 'RETR 2').responseCode).toBe('UTF8');
  });
});

describe('capabilities and greeting', () => {
  it('reads every capability RFC 2449, 2595, 3206 and 6856 define', () => {
    const capabilities = parseCapabilities([
      'TOP',
      'USER',
      'SASL PLAIN cram-md5 XOAUTH2',
      'RESP-CODES',
      'LOGIN-DELAY 900',
      'PIPELINING',
      'EXPIRE 31 USER',
      'UIDL',
      'IMPLEMENTATION Shlemazle-Plotz-v302',
      'STLS',
      'AUTH-RESP-CODE',
      'UTF8 USER',
      'X-UNKNOWN thing',
    ]);
    expect(capabilities).toMatchObject({
      capaSupported: true,
      top: true,
      user: true,
      sasl: ['PLAIN', 'CRAM-MD5', 'XOAUTH2'],
      respCodes: true,
      loginDelaySeconds: 900,
      pipelining: true,
      expire: 31,
      uidl: true,
      implementation: 'Shlemazle-Plotz-v302',
      stls: true,
      authRespCode: true,
      utf8: true,
      utf8User: true,
    });
    expect(capabilities.raw).toContain('X-UNKNOWN thing');
    expect(parseCapabilities(['EXPIRE NEVER']).expire).toBe('never');
  });

  it('finds the APOP timestamp in the greeting', () => {
    expect(parseGreeting('POP3 server ready <1896.697170952@dbc.mtview.ca.us>').apopTimestamp).toBe(
      '<1896.697170952@dbc.mtview.ca.us>',
    );
    expect(parseGreeting('Dovecot ready.').apopTimestamp).toBeNull();
  });
});

/** A response sequence that records what each handler received. */
function recordingSequence(expected: Array<'line' | 'body'>) {
  const received: Array<{ status?: StatusLine; body: Buffer[]; ended: boolean }> = [];
  let head = 0;
  const handlers: ResponseHandler[] = expected.map((kind, index) => {
    received[index] = { body: [], ended: false };
    return {
      status: (line) => {
        received[index]!.status = line;
        return kind === 'body' && line.kind === 'ok';
      },
      data: (piece) => received[index]!.body.push(Buffer.from(piece)),
      end: () => (received[index]!.ended = true),
      fail: () => {},
    };
  });
  return {
    received,
    sequence: {
      current: () => handlers[head],
      completed: () => {
        head++;
      },
    },
  };
}

describe('response reader', () => {
  const limits = { maxLineBytes: 200, maxBodyBytes: 10_000 };

  it('routes pipelined responses arriving in one chunk to their handlers in order', () => {
    const { received, sequence } = recordingSequence(['body', 'line', 'body']);
    const reader = new ResponseReader(limits, sequence);
    reader.feed(Buffer.from('+OK 5 octets\r\nabc\r\n.\r\n-ERR nope\r\n+OK\r\n..x\r\n.\r\n'));
    expect(received[0]!.status).toEqual({ kind: 'ok', text: '5 octets' });
    expect(Buffer.concat(received[0]!.body).toString()).toBe('abc\r\n');
    expect(received[1]!.status).toEqual({ kind: 'err', text: 'nope' });
    expect(Buffer.concat(received[2]!.body).toString()).toBe('.x\r\n');
    expect(received[2]!.ended).toBe(true);
  });

  it('joins a status line split across chunks at every position', () => {
    const wire = Buffer.from('+OK 1 2\r\n-ERR [IN-USE] busy\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const { received, sequence } = recordingSequence(['line', 'line']);
      const reader = new ResponseReader(limits, sequence);
      reader.feed(wire.subarray(0, cut));
      reader.feed(wire.subarray(cut));
      expect(received[0]!.status).toEqual({ kind: 'ok', text: '1 2' });
      expect(received[1]!.status).toEqual({ kind: 'err', text: '[IN-USE] busy' });
    }
  });

  it('fails with PROTOCOL on a garbage line', () => {
    const { sequence } = recordingSequence(['line']);
    const reader = new ResponseReader(limits, sequence);
    expect(() => reader.feed(Buffer.from('garbage\r\n'))).toThrowError(
      expect.objectContaining({ code: 'PROTOCOL' }),
    );
  });

  it('fails with PROTOCOL on a line nobody asked for', () => {
    const { sequence } = recordingSequence([]);
    const reader = new ResponseReader(limits, sequence);
    expect(() => reader.feed(Buffer.from('+OK surprise\r\n'))).toThrowError(
      expect.objectContaining({ code: 'PROTOCOL' }),
    );
  });

  it('fails with LIMIT_EXCEEDED on an endless status line, without holding it all', () => {
    const { sequence } = recordingSequence(['line']);
    const reader = new ResponseReader(limits, sequence);
    reader.feed(Buffer.from('+OK '));
    expect(() => {
      for (let i = 0; i < 100; i++) reader.feed(Buffer.alloc(50, 0x41));
    }).toThrowError(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });

  it('ignores everything after discardUntilRestart (bytes injected before a TLS handshake)', () => {
    const { received, sequence } = recordingSequence(['line', 'line']);
    const reader = new ResponseReader(limits, sequence);
    reader.feed(Buffer.from('+OK Begin TLS'));
    reader.discardUntilRestart();
    reader.feed(Buffer.from('\r\n+OK injected\r\n'));
    expect(received[0]!.status).toBeUndefined();
    reader.restart();
    reader.feed(Buffer.from('+OK real\r\n'));
    expect(received[0]!.status).toEqual({ kind: 'ok', text: 'real' });
  });
});

describe('UIDL listings', () => {
  it('reads the plain form and the looser ones some servers write', () => {
    expect(parseUidListing('1 whqtswO00WBw418f9t5JxYwZ')).toEqual({
      number: 1,
      uid: 'whqtswO00WBw418f9t5JxYwZ',
    });
    expect(parseUidListing('  2\tx-y')).toEqual({ number: 2, uid: 'x-y' });
    expect(parseUidListing('3  spaced')).toEqual({ number: 3, uid: 'spaced' });
    expect(parseUidListing('4 uid and-more')).toEqual({ number: 4, uid: 'uid' });
    expect(parseUidListing('10000 0000271000000001')).toEqual({
      number: 10000,
      uid: '0000271000000001',
    });
  });

  it('calls a line without a number and a UIDL a protocol error', () => {
    for (const line of ['x abc', '5', '5 ', ' ', '-1 abc']) {
      expect(() => parseUidListing(line), line).toThrowError(
        expect.objectContaining({ code: 'PROTOCOL' }),
      );
    }
  });
});
