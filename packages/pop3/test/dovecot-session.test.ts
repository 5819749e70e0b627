import { beforeEach, describe, expect, it } from 'vitest';
import { connectTls, USER, useDovecot } from './support/dovecot';
import { rejection } from './support/session-helpers';

const message = (n: number): Buffer => Buffer.from(`Subject: message ${n}\r\n\r\nBody ${n}\r\n`);

describe('session safety against Dovecot', () => {
  const dovecot = useDovecot();

  beforeEach(async () => {
    await dovecot().clear(USER.username);
    for (let n = 1; n <= 3; n++) await dovecot().deliver(USER.username, message(n));
  });

  async function remaining(): Promise<number> {
    return (await dovecot().messageFiles(USER.username)).length;
  }

  it('deletes a message marked with DELE when QUIT succeeds', async () => {
    const client = await connectTls(dovecot());
    await client.dele(2);
    expect(client.markedForDeletion).toEqual([2]);
    await client.quit();
    expect(client.state).toBe('closed');
    expect(await remaining()).toBe(2);
    const files = await dovecot().messageFiles(USER.username);
    expect(files.map((file) => file.bytes.toString())).not.toContain(message(2).toString());
  });

  it('keeps every message after DELE, RSET and QUIT', async () => {
    const client = await connectTls(dovecot());
    await client.deleMany([1, 2, 3]);
    expect((await client.stat()).count).toBe(0);
    await client.rset();
    expect(client.markedForDeletion).toEqual([]);
    expect((await client.stat()).count).toBe(3);
    await client.quit();
    expect(await remaining()).toBe(3);
  });

  it('keeps every message when the session is dropped after DELE (destroy, no QUIT)', async () => {
    const client = await connectTls(dovecot());
    await client.deleMany([1, 3]);
    await client.close();
    expect(client.state).toBe('closed');
    expect(await remaining()).toBe(3);
    await expect(client.quit()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('after a failed command allows only RSET or destroy, so marks are never committed blindly', async () => {
    const client = await connectTls(dovecot());
    await client.dele(1);
    const failure = await rejection(client.retr(99));
    expect(failure.code).toBe('COMMAND_FAILED');
    expect(failure.serverText).toBeTruthy();
    expect(client.state).toBe('needs-reset');
    await expect(client.quit()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(client.retr(2)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(client.dele(2)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await client.rset();
    expect(client.state).toBe('transaction');
    await client.quit();
    expect(await remaining()).toBe(3);
  });

  it('stops a DELE batch at the first refusal and requires RSET', async () => {
    const client = await connectTls(dovecot());
    await expect(client.deleMany([1, 7, 2])).rejects.toMatchObject({ code: 'COMMAND_FAILED' });
    expect(client.state).toBe('needs-reset');
    await client.rset();
    await client.quit();
    expect(await remaining()).toBe(3);
  });

  it('lists sizes and unique ids, whole and one by one', async () => {
    const client = await connectTls(dovecot());
    const stat = await client.stat();
    const list = await client.list();
    const uidl = await client.uidl();
    expect(stat.count).toBe(3);
    expect(list.map((entry) => entry.number)).toEqual([1, 2, 3]);
    expect(list.reduce((sum, entry) => sum + entry.size, 0)).toBe(stat.size);
    expect(await client.list(2)).toEqual(list[1]);
    expect(await client.uidl(3)).toEqual(uidl[2]);
    const files = await dovecot().messageFiles(USER.username);
    expect(uidl.map((entry) => entry.uid)).toEqual(files.map((file) => file.uidl));
    await client.noop();
    await client.quit();
  });

  it('returns the header and the requested body lines with TOP', async () => {
    await dovecot().clear(USER.username);
    await dovecot().deliver(
      USER.username,
      Buffer.from('Subject: t\r\n\r\none\r\ntwo\r\n.three\r\n'),
    );
    const client = await connectTls(dovecot());
    expect((await client.top(1, 0)).toString()).toBe('Subject: t\r\n\r\n');
    expect((await client.top(1, 1)).toString()).toBe('Subject: t\r\n\r\none\r\n');
    expect((await client.top(1, 3)).toString()).toBe('Subject: t\r\n\r\none\r\ntwo\r\n.three\r\n');
    await client.quit();
  });

  it('rejects bad arguments before anything is sent, without spoiling the session', async () => {
    const client = await connectTls(dovecot());
    await expect(client.retr(0)).rejects.toBeInstanceOf(RangeError);
    await expect(client.top(1, -1)).rejects.toBeInstanceOf(RangeError);
    expect(client.state).toBe('transaction');
    await client.quit();
  });
});
