import { describe, expect, it } from 'vitest';
import { connect, loggedIn, message, sleep, startServer } from './harness';

const three = () => ({
  mailboxes: {
    user: [
      message('Subject: one\r\n\r\nfirst\r\n', 'uid-1'),
      message('Subject: two\r\n\r\nsecond body\r\n', 'uid-2'),
      message('Subject: three\r\n\r\nthird\r\nline 2\r\nline 3\r\n', 'uid-3'),
    ],
  },
});

describe('TRANSACTION commands', () => {
  it('answers STAT, LIST and UIDL with and without an argument', async () => {
    const wire = await loggedIn(await startServer(three()));
    expect(await wire.command('STAT')).toBe('+OK 3 93');
    expect((await wire.multiline('LIST')).body.toString()).toBe('1 23\r\n2 29\r\n3 41\r\n');
    expect(await wire.command('LIST 2')).toBe('+OK 2 29');
    expect((await wire.multiline('UIDL')).body.toString()).toBe(
      '1 uid-1\r\n2 uid-2\r\n3 uid-3\r\n',
    );
    expect(await wire.command('UIDL 3')).toBe('+OK 3 uid-3');
  });

  it('assigns a UIDL to messages given without one and keeps it', async () => {
    const server = await startServer({ mailboxes: { user: [message('A: 1\r\n\r\nx\r\n')] } });
    const uidl = server.mailbox('user')[0]?.uidl;
    expect(uidl).toMatch(/^[\x21-\x7e]{1,70}$/);
    const wire = await loggedIn(server);
    expect(await wire.command('UIDL 1')).toBe(`+OK 1 ${uidl}`);
  });

  it('sends RETR bodies byte for byte, dot-stuffed on the wire', async () => {
    const body = Buffer.from(
      'Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nbare\nLF\n.after bare LF\r\n\xe9\r\n',
      'latin1',
    );
    const server = await startServer({ mailboxes: { user: [{ body }] } });
    const wire = await loggedIn(server);
    const { status, body: received } = await wire.multiline('RETR 1');
    expect(status).toBe(`+OK ${body.length} octets`);
    expect(received).toEqual(body);
  });

  it('adds the final CRLF a body lacks and counts it in the size', async () => {
    const server = await startServer({ mailboxes: { user: [message('A: 1\r\n\r\nno newline')] } });
    const wire = await loggedIn(server);
    expect(await wire.command('LIST 1')).toBe('+OK 1 20');
    expect((await wire.multiline('RETR 1')).body.toString()).toBe('A: 1\r\n\r\nno newline\r\n');
  });

  it('answers TOP with the header and the first n body lines', async () => {
    const wire = await loggedIn(await startServer(three()));
    expect((await wire.multiline('TOP 3 0')).body.toString()).toBe('Subject: three\r\n\r\n');
    expect((await wire.multiline('TOP 3 2')).body.toString()).toBe(
      'Subject: three\r\n\r\nthird\r\nline 2\r\n',
    );
    expect(await wire.command('TOP 3')).toMatch(/^-ERR/);
    expect(await wire.command('TOP 3 -1')).toMatch(/^-ERR/);
  });

  it('refuses TOP and UIDL when they are switched off', async () => {
    const wire = await loggedIn(
      await startServer({ ...three(), capabilities: { top: false, uidl: false } }),
    );
    expect(await wire.command('TOP 1 0')).toMatch(/^-ERR/);
    expect(await wire.command('UIDL')).toMatch(/^-ERR/);
  });

  it('refuses message numbers that do not exist', async () => {
    const wire = await loggedIn(await startServer(three()));
    for (const command of ['RETR 0', 'RETR 4', 'RETR x', 'RETR', 'LIST 9', 'DELE 4', 'UIDL 0']) {
      expect(await wire.command(command)).toMatch(/^-ERR/);
    }
  });

  it('hides deleted messages, refuses them, and brings them back on RSET', async () => {
    const wire = await loggedIn(await startServer(three()));
    expect(await wire.command('DELE 2')).toMatch(/^\+OK/);
    expect(await wire.command('DELE 2')).toMatch(/^-ERR/);
    expect(await wire.command('RETR 2')).toMatch(/^-ERR/);
    expect(await wire.command('LIST 2')).toMatch(/^-ERR/);
    expect(await wire.command('STAT')).toBe('+OK 2 64');
    expect((await wire.multiline('LIST')).body.toString()).toBe('1 23\r\n3 41\r\n');
    expect((await wire.multiline('UIDL')).body.toString()).toBe('1 uid-1\r\n3 uid-3\r\n');
    expect(await wire.command('RSET')).toBe('+OK Maildrop has 3 messages (93 octets)');
    expect(await wire.command('STAT')).toBe('+OK 3 93');
  });

  it('keeps message numbers fixed while the mailbox changes underneath', async () => {
    const server = await startServer(three());
    const wire = await loggedIn(server);
    server.addMessage('user', message('Subject: four\r\n\r\n4\r\n', 'uid-4'));
    server.setMailbox('user', [message('Subject: other\r\n\r\nx\r\n', 'uid-x')]);
    expect(await wire.command('STAT')).toBe('+OK 3 93');
    expect(await wire.command('UIDL 1')).toBe('+OK 1 uid-1');
  });

  it('answers NOOP only after login, and refuses transaction commands before it', async () => {
    const server = await startServer(three());
    const wire = await connect(server);
    for (const command of ['STAT', 'LIST', 'RETR 1', 'DELE 1', 'NOOP', 'RSET', 'BOGUS']) {
      expect(await wire.command(command)).toMatch(/^-ERR/);
    }
    await wire.command('USER user');
    await wire.command('PASS secret');
    expect(await wire.command('NOOP')).toMatch(/^\+OK/);
    for (const command of ['USER user', 'PASS secret', 'APOP user x', 'AUTH PLAIN', 'STLS']) {
      expect(await wire.command(command)).toMatch(/^-ERR/);
    }
  });
});

describe('QUIT and UPDATE', () => {
  it('applies DELE marks at QUIT, and counts the UPDATE', async () => {
    const server = await startServer(three());
    const wire = await loggedIn(server);
    await wire.command('DELE 1');
    await wire.command('DELE 3');
    expect(await wire.command('QUIT')).toMatch(/^\+OK/);
    await wire.waitForClose();
    expect(server.mailbox('user').map((m) => m.uidl)).toEqual(['uid-2']);
    expect(server.stats).toMatchObject({
      quits: 1,
      updates: 1,
      updateStates: 1,
      deletedMessages: 2,
    });
  });

  it('applies nothing when the connection drops', async () => {
    const server = await startServer(three());
    const wire = await loggedIn(server);
    await wire.command('DELE 1');
    wire.close();
    await sleep(50);
    expect(server.mailbox('user')).toHaveLength(3);
    expect(server.stats).toMatchObject({ quits: 0, updates: 0, updateStates: 0 });
    expect(server.stats.activeSessions).toBe(0);
  });

  it('applies nothing after RSET, though the session did reach UPDATE', async () => {
    const server = await startServer(three());
    const wire = await loggedIn(server);
    await wire.command('DELE 1');
    await wire.command('RSET');
    await wire.command('QUIT');
    expect(server.mailbox('user')).toHaveLength(3);
    expect(server.stats).toMatchObject({ updates: 0, updateStates: 1 });
  });

  it('keeps messages added during the session when it deletes others', async () => {
    const server = await startServer(three());
    const wire = await loggedIn(server);
    server.addMessage('user', message('Subject: new\r\n\r\nnew\r\n', 'uid-new'));
    await wire.command('DELE 1');
    await wire.command('QUIT');
    expect(server.mailbox('user').map((m) => m.uidl)).toEqual(['uid-2', 'uid-3', 'uid-new']);
  });

  it('closes without UPDATE when QUIT comes before login', async () => {
    const server = await startServer(three());
    const wire = await connect(server);
    expect(await wire.command('QUIT')).toMatch(/^\+OK/);
    await wire.waitForClose();
    expect(server.stats).toMatchObject({ quits: 1, updateStates: 0 });
  });

  it('records every command with its session number', async () => {
    const server = await startServer(three());
    const wire = await loggedIn(server);
    await wire.command('STAT');
    expect(server.stats.commands).toEqual([
      { session: 1, line: 'USER user' },
      { session: 1, line: 'PASS secret' },
      { session: 1, line: 'STAT' },
    ]);
  });
});
