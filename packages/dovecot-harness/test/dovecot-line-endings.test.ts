import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, startDovecot, type Dovecot } from '../src/index';
import { Pop3Wire } from '@popgate/pop3-server/testing';

const samples: Record<string, Buffer> = {
  'CRLF throughout': Buffer.from('Subject: crlf\r\n\r\nline\r\n.starts with a dot\r\n.\r\n'),
  'bare LF throughout': Buffer.from('Subject: lf\n\nline\n..two dots\n.\nend\n'),
  'mixed CRLF, LF and a bare CR': Buffer.from('Subject: mixed\r\n\nx\ry\nz\r\n'),
  'no final newline': Buffer.from('Subject: open\r\n\r\nno newline at the end'),
  'a final bare CR': Buffer.from('Subject: cr\r\n\r\nends with CR\r'),
  'nothing at all': Buffer.alloc(0),
  'only a bare LF': Buffer.from('\n'),
  '8-bit and NUL bytes': Buffer.from([
    ...Buffer.from('Subject: bytes\r\n\r\ncaf'),
    0xe9,
    0x00,
    0xff,
    0x0d,
    0x0a,
  ]),
};

describe.skipIf(!dovecotAvailable())('what Dovecot sends for stored line endings', () => {
  let dovecot: Dovecot;
  let wire: Pop3Wire;
  const names = Object.keys(samples);

  beforeAll(async () => {
    dovecot = await startDovecot();
    for (const name of names) await dovecot.deliver('user', samples[name] as Buffer);
    wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
    await wire.command('USER user');
    await wire.command('PASS secret');
  });
  afterAll(async () => {
    wire?.close();
    await dovecot?.stop();
  });

  it.each(names.map((name, index) => [name, index + 1] as const))(
    'RETR of a message with %s matches expectedPop3Bytes',
    async (name, number) => {
      const raw = samples[name] as Buffer;
      const expected = dovecot.expectedPop3Bytes(raw);
      const { status, body } = await wire.multiline(`RETR ${number}`);
      expect(status).toMatch(/^\+OK/);
      expect(body.toString('latin1')).toBe(expected.toString('latin1'));
      // LIST counts the message in CRLF form, without the CRLF Dovecot adds at the end.
      const added = raw.length === 0 || raw[raw.length - 1] !== 0x0a ? 2 : 0;
      expect(await wire.command(`LIST ${number}`)).toBe(`+OK ${number} ${expected.length - added}`);
    },
  );
});
