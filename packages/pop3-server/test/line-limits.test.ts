import { describe, expect, it } from 'vitest';
import { connect, startServer } from './harness';
import { xoauth2 } from '@popgate/pop3-server/testing';

describe('line length limits', () => {
  it('refuses a command line over the limit and carries on', async () => {
    const wire = await connect(await startServer());
    expect(await wire.command(`USER ${'u'.repeat(2000)}`)).toBe('-ERR Line too long');
    expect(await wire.command('USER user')).toMatch(/^\+OK/);
  });

  it('refuses a line longer than any buffer once, without buffering it', async () => {
    const wire = await connect(await startServer());
    wire.writeRaw(`NOOP ${'x'.repeat(100_000)}\r\nUSER user\r\n`);
    expect(await wire.readLine()).toBe('-ERR Line too long');
    expect(await wire.readLine()).toMatch(/^\+OK/);
  });

  it('lets long SASL lines through: bearer tokens are big', async () => {
    const token = 't'.repeat(6000);
    const server = await startServer({
      users: [{ username: 'user', password: 'secret', accessToken: token }],
    });
    const wire = await connect(server);
    expect(await wire.command(`AUTH XOAUTH2 ${xoauth2('user', token)}`)).toMatch(/^\+OK/);
  });

  it('follows a configured limit', async () => {
    const wire = await connect(await startServer({ maxLineLength: 20 }));
    expect(await wire.command('USER a-long-user-name-here')).toBe('-ERR Line too long');
    expect(await wire.command('USER short')).toMatch(/^\+OK/);
  });
});
