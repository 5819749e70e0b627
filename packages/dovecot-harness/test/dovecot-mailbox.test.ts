import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dovecotAvailable, startDovecot, type Dovecot } from '../src/index';
import { Pop3Wire } from '@popgate/pop3-server/testing';

describe.skipIf(!dovecotAvailable())('delivering to a Dovecot maildir', () => {
  let dovecot: Dovecot;

  const login = async () => {
    const wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
    await wire.command('USER user');
    expect(await wire.command('PASS secret')).toMatch(/^\+OK/);
    return wire;
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    await dovecot.clear('user');
  });

  it('lists a delivered message in STAT', async () => {
    const raw = Buffer.from('Subject: hello\r\n\r\nHi.\r\n');
    await dovecot.deliver('user', raw);
    const wire = await login();
    expect(await wire.command('STAT')).toBe(`+OK 1 ${raw.length}`);
    wire.close();
  });

  it('reports the delivered name as the UIDL and keeps delivery order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push(await dovecot.deliver('user', Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`)));
    }
    const wire = await login();
    const uidl = await wire.multiline('UIDL');
    const listed = uidl.body
      .toString()
      .trim()
      .split('\r\n')
      .map((line) => line.split(' '));
    expect(listed).toEqual(ids.map((id, i) => [String(i + 1), id]));
    const third = await wire.multiline('RETR 3');
    expect(third.body.toString()).toBe('Subject: 2\r\n\r\nbody 2\r\n');
    wire.close();
  });

  it('shows the files in POP3 order, from new/ and then cur/ once Dovecot has seen them', async () => {
    const first = await dovecot.deliver('user', Buffer.from('Subject: 1\r\n\r\n1\r\n'));
    const second = await dovecot.deliver('user', Buffer.from('Subject: 2\r\n\r\n2\r\n'));
    let files = await dovecot.messageFiles('user');
    expect(files.map((f) => f.uidl)).toEqual([first, second]);
    expect(files[0]?.file).toContain('/new/');
    expect(files[1]?.bytes.toString()).toBe('Subject: 2\r\n\r\n2\r\n');

    const wire = await login();
    await wire.multiline('RETR 1');
    expect(await wire.command('QUIT')).toMatch(/^\+OK/);
    files = await dovecot.messageFiles('user');
    expect(files.map((f) => f.uidl)).toEqual([first, second]);
    expect(files[0]?.file).toMatch(/\/cur\/.*:2,/);
  });

  it('removes a message after DELE and QUIT, and keeps it when the connection just drops', async () => {
    await dovecot.deliver('user', Buffer.from('Subject: 1\r\n\r\n1\r\n'));
    const kept = await dovecot.deliver('user', Buffer.from('Subject: 2\r\n\r\n2\r\n'));

    const dropped = await login();
    expect(await dropped.command('DELE 2')).toMatch(/^\+OK/);
    dropped.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await dovecot.messageFiles('user')).toHaveLength(2);

    const quitting = await login();
    expect(await quitting.command('DELE 1')).toMatch(/^\+OK/);
    expect(await quitting.command('QUIT')).toMatch(/^\+OK/);
    await quitting.waitForClose();
    expect((await dovecot.messageFiles('user')).map((f) => f.uidl)).toEqual([kept]);
  });

  it('clear() empties the mailbox', async () => {
    await dovecot.deliver('user', Buffer.from('Subject: 1\r\n\r\n1\r\n'));
    await dovecot.clear('user');
    expect(await dovecot.messageFiles('user')).toEqual([]);
    const wire = await login();
    expect(await wire.command('STAT')).toBe('+OK 0 0');
    wire.close();
  });

  it('refuses users it does not know', async () => {
    await expect(dovecot.deliver('nobody-here', Buffer.from('x'))).rejects.toThrow(/unknown/);
  });
});
