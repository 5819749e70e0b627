import { describe, expect, it } from 'vitest';
import { connect, loggedIn, sleep, startServer } from './harness';

const two = {
  users: [
    { username: 'user', password: 'secret' },
    { username: 'other', password: 'pw' },
  ],
};

describe('the maildrop lock', () => {
  it('answers [IN-USE] to a second session for the same user', async () => {
    const server = await startServer(two);
    await loggedIn(server);
    const second = await connect(server);
    await second.command('USER user');
    expect(await second.command('PASS secret')).toBe(
      '-ERR [IN-USE] Mailbox is locked by another POP3 session',
    );
    // Another user is not affected.
    expect(await (await loggedIn(server, 'other', 'pw')).command('STAT')).toMatch(/^\+OK/);
  });

  it('is released by QUIT', async () => {
    const server = await startServer(two);
    const first = await loggedIn(server);
    expect(await first.command('QUIT')).toMatch(/^\+OK/);
    expect(await (await loggedIn(server)).command('STAT')).toMatch(/^\+OK/);
  });

  it('is released when the connection drops', async () => {
    const server = await startServer(two);
    (await loggedIn(server)).close();
    await sleep(50);
    expect(await (await loggedIn(server)).command('STAT')).toMatch(/^\+OK/);
  });

  it('is not taken by a session that never logged in', async () => {
    const server = await startServer(two);
    const idle = await connect(server);
    await idle.command('USER user');
    expect(await (await loggedIn(server)).command('STAT')).toMatch(/^\+OK/);
  });
});

describe('LOGIN-DELAY', () => {
  it('refuses a login sooner than the advertised delay when enforced', async () => {
    const server = await startServer({ capabilities: { loginDelay: 60 }, enforceLoginDelay: true });
    await (await loggedIn(server)).command('QUIT');
    const again = await connect(server);
    await again.command('USER user');
    expect(await again.command('PASS secret')).toBe('-ERR [LOGIN-DELAY] Logged in too recently');
  });

  it('only advertises the delay unless asked to enforce it', async () => {
    const server = await startServer({ capabilities: { loginDelay: 60 } });
    await (await loggedIn(server)).command('QUIT');
    expect(await (await loggedIn(server)).command('STAT')).toMatch(/^\+OK/);
  });
});
