import { describe, expect, it } from 'vitest';
import { loggedIn, message, startServer } from './harness';

describe('PIPELINING', () => {
  it('answers commands that arrive together, in order', async () => {
    const bodies = Array.from(
      { length: 20 },
      (_, i) => `Subject: ${i}\r\n\r\n.${'x'.repeat(i * 500)}\r\n`,
    );
    const server = await startServer({
      mailboxes: { user: bodies.map((b, i) => message(b, `u${i}`)) },
    });
    const wire = await loggedIn(server);
    const commands = ['STAT', ...bodies.map((_, i) => `RETR ${i + 1}`), 'UIDL 20', 'NOOP'];
    wire.writeRaw(commands.map((c) => `${c}\r\n`).join(''));
    expect(await wire.readLine()).toBe(`+OK 20 ${bodies.join('').length}`);
    for (const body of bodies) {
      expect(await wire.readLine()).toMatch(/^\+OK \d+ octets$/);
      expect((await wire.readMultiline()).toString()).toBe(body);
    }
    expect(await wire.readLine()).toBe('+OK 20 u19');
    expect(await wire.readLine()).toMatch(/^\+OK/);
  });

  it('handles commands split across packets at any byte', async () => {
    const server = await startServer({ mailboxes: { user: [message('A: 1\r\n\r\nx\r\n')] } });
    const wire = await loggedIn(server);
    const text = 'STAT\r\nLIST 1\r\nNOOP\r\n';
    for (const char of text) {
      wire.writeRaw(char);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await wire.readLine()).toBe('+OK 1 11');
    expect(await wire.readLine()).toBe('+OK 1 11');
    expect(await wire.readLine()).toMatch(/^\+OK/);
  });

  it('logs in and deletes in one burst, then applies it at QUIT', async () => {
    const server = await startServer({ mailboxes: { user: [message('A: 1\r\n\r\nx\r\n')] } });
    const wire = await loggedIn(server);
    wire.writeRaw('DELE 1\r\nQUIT\r\n');
    expect(await wire.readLine()).toMatch(/^\+OK/);
    expect(await wire.readLine()).toMatch(/^\+OK/);
    await wire.waitForClose();
    expect(server.mailbox('user')).toEqual([]);
  });
});
