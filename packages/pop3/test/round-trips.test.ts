import { beforeEach, describe, expect, it } from 'vitest';
import { parseCapabilities } from '../src/capabilities';
import type { Pop3LogEntry } from '../src/options';
import { connectTls, USER, useDovecot } from './support/dovecot';

/**
 * Round trips of a session, counted from the client's log: the greeting, then one for each run
 * of lines the client sends before it reads again.
 */
function recorder() {
  const entries: Pop3LogEntry[] = [];
  return {
    log: (entry: Pop3LogEntry) => entries.push(entry),
    sent: () => entries.filter((e) => e.direction === 'send').map((e) => e.line.split(' ')[0]),
    last: () => entries.at(-1),
    roundTrips: () => {
      let trips = 1;
      for (let i = 1; i < entries.length; i++)
        if (entries[i]!.direction === 'send' && entries[i - 1]!.direction === 'receive') trips++;
      return trips;
    },
  };
}

describe('round trips of a check of an unchanged mailbox, against Dovecot', () => {
  const dovecot = useDovecot();

  beforeEach(async () => {
    await dovecot().clear(USER.username);
    await dovecot().deliver(USER.username, Buffer.from('Subject: one\r\n\r\nBody\r\n'));
  });

  it('logs in and lists in four round trips: CAPA is not asked again after login', async () => {
    const session = recorder();
    const client = await connectTls(dovecot(), { log: session.log });
    expect(client.capabilities.pipelining).toBe(true);
    await client.uidl();
    await client.quit();
    expect(session.sent()).toEqual(['CAPA', 'AUTH', 'UIDL', 'QUIT']);
    // Greeting, CAPA, AUTH PLAIN with its initial response, UIDL, QUIT.
    expect(session.roundTrips()).toBe(5);
  });

  it('sends USER and PASS together when the server offers PIPELINING before login', async () => {
    const session = recorder();
    const client = await connectTls(dovecot(), {
      log: session.log,
      auth: { username: USER.username, password: USER.password, mechanism: 'user' },
    });
    await client.uidl();
    await client.quit();
    expect(session.sent()).toEqual(['CAPA', 'USER', 'PASS', 'UIDL', 'QUIT']);
    expect(session.roundTrips()).toBe(5);
  });

  it('ends without waiting for the answer to QUIT when nothing is marked: four answers waited for', async () => {
    const session = recorder();
    const client = await connectTls(dovecot(), { log: session.log });
    await client.uidl();
    await client.leave();
    expect(session.sent()).toEqual(['CAPA', 'AUTH', 'UIDL', 'QUIT']);
    // Greeting, CAPA, AUTH, UIDL answered; QUIT leaves last and nothing is read after it.
    expect(session.last()).toMatchObject({ direction: 'send', line: 'QUIT' });
    expect(client.state).toBe('closed');
    // The server ended the session as after any QUIT: the next one logs in and finds the mail.
    const next = await connectTls(dovecot());
    expect(await next.uidl()).toHaveLength(1);
    await next.quit();
  });

  it('refuses to leave unanswered while a message is marked for deletion', async () => {
    const client = await connectTls(dovecot());
    await client.dele(1);
    await expect(client.leave()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await client.rset();
    await client.leave();
    expect(await dovecot().messageFiles(USER.username)).toHaveLength(1);
  });

  it('refuses a wrong password sent together with USER as any other', async () => {
    await expect(
      connectTls(dovecot(), {
        auth: { username: USER.username, password: 'wrong', mechanism: 'user' },
      }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });
});

describe('whether CAPA is asked again after login', () => {
  it('is when LOGIN-DELAY or EXPIRE said USER before login: the values differ by user', () => {
    expect(parseCapabilities(['PIPELINING', 'LOGIN-DELAY 900 USER']).perUserValues).toBe(true);
    expect(parseCapabilities(['PIPELINING', 'EXPIRE 30 USER']).perUserValues).toBe(true);
    expect(parseCapabilities(['PIPELINING', 'LOGIN-DELAY 900', 'EXPIRE 30']).perUserValues).toBe(
      false,
    );
  });
});
