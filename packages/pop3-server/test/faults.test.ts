import { describe, expect, it } from 'vitest';
import { connect, loggedIn, message, sleep, startServer } from './harness';

const mailboxes = () => ({
  mailboxes: {
    user: [
      message('Subject: one\r\n\r\nfirst message body\r\n', 'uid-1'),
      message('Subject: two\r\n\r\nsecond message body\r\n', 'uid-2'),
    ],
  },
});

describe('greeting-error', () => {
  it('sends the text instead of the greeting and closes, once', async () => {
    const server = await startServer();
    server.inject({ kind: 'greeting-error', text: '-ERR [SYS/TEMP] Too busy, try later' });
    const refused = await connect(server);
    expect(refused.greeting).toBe('-ERR [SYS/TEMP] Too busy, try later');
    await refused.waitForClose();
    expect((await connect(server)).greeting).toMatch(/^\+OK/);
  });

  it('adds -ERR to bare text and can aim at a later session', async () => {
    const server = await startServer();
    server.inject({ kind: 'greeting-error', text: '[IN-USE] Busy', session: 2 });
    expect((await connect(server)).greeting).toMatch(/^\+OK/);
    expect((await connect(server)).greeting).toBe('-ERR [IN-USE] Busy');
  });
});

describe('auth-error', () => {
  it.each(['AUTH', 'IN-USE', 'LOGIN-DELAY', 'SYS/TEMP', 'SYS/PERM'] as const)(
    'fails the next login with [%s] despite good credentials',
    async (code) => {
      const server = await startServer();
      server.inject({ kind: 'auth-error', code, text: 'Injected' });
      const wire = await connect(server);
      await wire.command('USER user');
      expect(await wire.command('PASS secret')).toBe(`-ERR [${code}] Injected`);
      await wire.command('USER user');
      expect(await wire.command('PASS secret')).toMatch(/^\+OK/);
    },
  );

  it('applies to SASL and APOP logins as well, as many times as asked', async () => {
    const server = await startServer();
    server.inject({ kind: 'auth-error', times: 2 });
    const wire = await connect(server);
    expect(
      await wire.command(`AUTH PLAIN ${Buffer.from('\0user\0secret').toString('base64')}`),
    ).toMatch(/^-ERR \[AUTH\]/);
    expect(await wire.command(`APOP user ${'0'.repeat(32)}`)).toMatch(/^-ERR \[AUTH\]/);
    expect(server.pendingFaults).toEqual([]);
  });
});

describe('drop-after-bytes', () => {
  it('closes the connection after exactly that many bytes of the answer', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'drop-after-bytes', command: 'RETR', bytes: 24 });
    const wire = await loggedIn(server);
    await wire.command('DELE 2');
    wire.send('RETR 1');
    const received = await wire.drain(2_000);
    expect(wire.socketClosed).toBe(true);
    expect(received.toString()).toBe('+OK 36 octets\r\nSubject: ');
    expect(server.mailbox('user')).toHaveLength(2);
  });

  it('only hits the message it names', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'drop-after-bytes', command: 'TOP', msg: 2, bytes: 5 });
    const wire = await loggedIn(server);
    expect((await wire.multiline('TOP 1 0')).body.toString()).toBe('Subject: one\r\n\r\n');
    wire.send('TOP 2 0');
    expect((await wire.drain(2_000)).toString()).toBe('+OK T');
    expect(wire.socketClosed).toBe(true);
  });
});

describe('stall', () => {
  it('stops after some bytes of the answer and never says anything again', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'stall', command: 'RETR', afterBytes: 20 });
    const wire = await loggedIn(server);
    wire.send('RETR 1');
    wire.send('NOOP');
    expect((await wire.drain(300)).toString()).toBe('+OK 36 octets\r\nSubje');
    expect(wire.socketClosed).toBe(false);
    wire.send('QUIT');
    expect((await wire.drain(200)).length).toBe(0);
  });

  it('can stall a command without a single byte', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'stall', command: 'STAT' });
    const wire = await loggedIn(server);
    wire.send('STAT');
    expect((await wire.drain(300)).length).toBe(0);
  });

  it('still carries the command out: a stalled QUIT has deleted', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'stall', command: 'QUIT' });
    const wire = await loggedIn(server);
    await wire.command('DELE 1');
    wire.send('QUIT');
    expect((await wire.drain(200)).length).toBe(0);
    expect(server.mailbox('user').map((m) => m.uidl)).toEqual(['uid-2']);
  });
});

describe('drip', () => {
  it('sends the whole answer a few bytes at a time, and later commands wait their turn', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'drip', command: 'RETR', msg: 1, bytes: 4, everyMs: 20 });
    const wire = await loggedIn(server);
    const started = Date.now();
    wire.send('RETR 1');
    wire.send('NOOP');
    const early = (await wire.drain(50)).toString();
    expect(early.length).toBeGreaterThan(0);
    expect(early.length).toBeLessThan(16);
    const rest = (await wire.drain(1_500)).toString();
    expect(early + rest).toBe(
      '+OK 36 octets\r\nSubject: one\r\n\r\nfirst message body\r\n.\r\n+OK \r\n',
    );
    expect(Date.now() - started).toBeGreaterThan(200);
  });
});

describe('garbage', () => {
  it('answers with a non-POP3 line instead, then behaves', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'garbage', command: 'STAT', line: '<html>oops</html>' });
    const wire = await loggedIn(server);
    expect(await wire.command('STAT')).toBe('<html>oops</html>');
    expect(await wire.command('STAT')).toMatch(/^\+OK 2 /);
  });

  it('has a default line', async () => {
    const server = await startServer();
    server.inject({ kind: 'garbage', command: 'USER' });
    const wire = await connect(server);
    expect(await wire.command('USER user')).not.toMatch(/^[+-]/);
  });
});

describe('wrong-size', () => {
  it('reports a different size in LIST, STAT and RETR for one session', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'wrong-size', msg: 1, reportedSize: 5 });
    const wire = await loggedIn(server);
    expect(await wire.command('LIST 1')).toBe('+OK 1 5');
    expect((await wire.multiline('LIST')).body.toString()).toBe('1 5\r\n2 37\r\n');
    expect(await wire.command('STAT')).toBe('+OK 2 42');
    const { status, body } = await wire.multiline('RETR 1');
    expect(status).toBe('+OK 5 octets');
    expect(body.length).toBe(36);
    await wire.command('QUIT');
    const next = await loggedIn(server);
    expect(await next.command('LIST 1')).toBe('+OK 1 36');
  });
});

describe('endless', () => {
  it.each(['RETR', 'LIST', 'UIDL', 'TOP'] as const)(
    'keeps streaming %s lines without a terminator',
    async (command) => {
      const server = await startServer(mailboxes());
      server.inject({ kind: 'endless', command });
      const wire = await loggedIn(server);
      wire.send(command === 'TOP' ? 'TOP 1 5' : command === 'RETR' ? 'RETR 1' : command);
      const received = await wire.drain(300);
      expect(received.length).toBeGreaterThan(64 * 1024);
      expect(received.toString()).toMatch(/^\+OK/);
      expect(received.includes('\r\n.\r\n')).toBe(false);
      wire.close();
      // The server shrugs it off.
      await sleep(50);
      expect(await (await loggedIn(server)).command('STAT')).toMatch(/^\+OK/);
    },
  );
});

describe('err', () => {
  it('answers -ERR for that command and message only', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'err', command: 'dele', msg: 2, text: 'Cannot delete' });
    server.inject({ kind: 'err', command: 'UIDL', text: '-ERR [SYS/PERM] Broken index' });
    const wire = await loggedIn(server);
    expect(await wire.command('DELE 1')).toMatch(/^\+OK/);
    expect(await wire.command('DELE 2')).toBe('-ERR Cannot delete');
    expect(await wire.command('UIDL')).toBe('-ERR [SYS/PERM] Broken index');
    expect((await wire.multiline('UIDL')).body.toString()).toBe('2 uid-2\r\n');
    await wire.command('QUIT');
    expect(server.mailbox('user').map((m) => m.uidl)).toEqual(['uid-2']);
  });
});

describe('fault bookkeeping', () => {
  it('fires a fault as many times as asked, or forever', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'err', command: 'NOOP', text: 'no', times: 2 });
    server.inject({ kind: 'err', command: 'STAT', text: 'never', times: Infinity });
    const wire = await loggedIn(server);
    expect(await wire.command('NOOP')).toBe('-ERR no');
    expect(await wire.command('NOOP')).toBe('-ERR no');
    expect(await wire.command('NOOP')).toMatch(/^\+OK/);
    for (let i = 0; i < 5; i++) expect(await wire.command('STAT')).toBe('-ERR never');
  });

  it('forgets every fault on clearFaults', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'err', command: 'STAT', text: 'no' });
    server.clearFaults();
    expect(server.pendingFaults).toEqual([]);
    expect(await (await loggedIn(server)).command('STAT')).toMatch(/^\+OK/);
  });

  it('aims a fault at one session only', async () => {
    const server = await startServer(mailboxes());
    server.inject({ kind: 'err', command: 'STAT', text: 'second only', session: 2 });
    const first = await loggedIn(server);
    expect(await first.command('STAT')).toMatch(/^\+OK/);
    await first.command('QUIT');
    expect(await (await loggedIn(server)).command('STAT')).toBe('-ERR second only');
  });
});
