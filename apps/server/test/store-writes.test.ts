import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { storeMessages } from '../src/messages/store';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';
import { storeBatch } from './support/store-batch';

// A database of this file's own: it watches every write to conversations and messages.
let prisma: Db;
let database: { name: string; url: string };
let client: pg.Client;
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_conversation_writes');
  prisma = createPrismaClient(database.url, 4);
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`
    CREATE TABLE conversation_writes (op text, id uuid);
    CREATE FUNCTION note_conversation_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO conversation_writes VALUES (TG_OP, NEW.id); RETURN NULL; END $$;
    CREATE TRIGGER note_conversation_write AFTER INSERT OR UPDATE ON conversations
      FOR EACH ROW EXECUTE FUNCTION note_conversation_write();
    CREATE TABLE message_writes (op text, id uuid);
    CREATE FUNCTION note_message_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO message_writes VALUES (TG_OP, NEW.id); RETURN NULL; END $$;
    CREATE TRIGGER note_message_write AFTER INSERT OR UPDATE ON messages
      FOR EACH ROW EXECUTE FUNCTION note_message_write();`);
});
afterAll(async () => {
  await client.end();
  await prisma.$disconnect();
  await dropDatabase(database.name);
});

const message = (id: string | null, subject: string, extra: string[] = []) =>
  Buffer.from(
    [
      'From: Ada <ada@example.test>',
      `Subject: ${subject}`,
      ...(id ? [`Message-ID: <${id}@example.test>`] : []),
      'Date: Mon, 02 Nov 2026 08:00:00 +0000',
      ...extra,
      '',
      'Body.',
      '',
    ].join('\r\n'),
  );

const writes = async () =>
  (await client.query<{ op: string }>('SELECT op FROM conversation_writes')).rows.map((r) => r.op);

describe('conversations at store', () => {
  it('writes a new conversation once, with its counts, and a joined one once', async () => {
    const { user, account } = await userWithAccount(prisma);
    await storeMessages(
      prisma,
      await storeBatch(account.id, user.id, {
        a: message('a', 'Budget'),
        b: message('b', 'Re: Budget', ['In-Reply-To: <a@example.test>']),
        c: message('c', 'Lunch'),
      }),
    );
    expect(await writes()).toEqual(['INSERT', 'INSERT']);
    const counts = await client.query(
      `SELECT subject, "messageCount", "inboxCount", "unreadCount" FROM conversations ORDER BY subject`,
    );
    expect(counts.rows).toEqual([
      { subject: 'Budget', messageCount: 2, inboxCount: 2, unreadCount: 2 },
      { subject: 'Lunch', messageCount: 1, inboxCount: 1, unreadCount: 1 },
    ]);

    await client.query('TRUNCATE conversation_writes');
    await storeMessages(
      prisma,
      await storeBatch(account.id, user.id, {
        d: message('d', 'Re: Lunch', ['In-Reply-To: <c@example.test>']),
      }),
    );
    expect(await writes()).toEqual(['UPDATE']);
    const lunch = await client.query(
      `SELECT "messageCount" FROM conversations WHERE subject = 'Lunch'`,
    );
    expect(lunch.rows[0].messageCount).toBe(2);
  });

  it('leaves no empty conversation behind when a message was already stored', async () => {
    const { user, account } = await userWithAccount(prisma);
    // Without a Message-ID nothing ties the second download to the first's conversation.
    const once = () => storeBatch(account.id, user.id, { x: message(null, 'Once') });
    await storeMessages(prisma, await once());
    await client.query('TRUNCATE conversation_writes');
    const [again] = await storeMessages(prisma, await once());
    expect(again!.created).toBe(false);
    expect(await writes()).toEqual([]);
    const rows = await client.query(
      `SELECT "messageCount" FROM conversations WHERE "userId" = $1::uuid`,
      [user.id],
    );
    expect(rows.rows).toEqual([{ messageCount: 1 }]);
  });
});

describe('messages at store', () => {
  it('writes a message with attachments once, their file names in its search document', async () => {
    const { user, account } = await userWithAccount(prisma);
    const raw = Buffer.from(
      [
        'From: Ada <ada@example.test>',
        'Subject: figures',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'See attached.',
        '--b',
        'Content-Type: application/pdf; name="invoice-Q3.pdf"',
        'Content-Disposition: attachment; filename="invoice-Q3.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--b--',
        '',
      ].join('\r\n'),
    );
    await client.query('TRUNCATE message_writes');
    const [stored] = await storeMessages(prisma, await storeBatch(account.id, user.id, { f: raw }));
    const writes = await client.query<{ op: string }>('SELECT op FROM message_writes');
    expect(writes.rows.map((r) => r.op)).toEqual(['INSERT']);
    const found = await client.query(
      `SELECT count(*)::int AS n FROM messages
        WHERE id = $1::uuid AND search @@ popgate_search_term('invoice', false, '')`,
      [stored!.id],
    );
    expect(found.rows[0].n).toBe(1);
  });

  it('keeps no attachments of a message that was already stored', async () => {
    const { user, account } = await userWithAccount(prisma);
    const raw = Buffer.from(
      [
        'From: Ada <ada@example.test>',
        'Subject: twice',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Hi.',
        '--b',
        'Content-Type: text/csv; name="n.csv"',
        'Content-Disposition: attachment; filename="n.csv"',
        '',
        'a,b',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const [first] = await storeMessages(prisma, await storeBatch(account.id, user.id, { t: raw }));
    const [again] = await storeMessages(prisma, await storeBatch(account.id, user.id, { t: raw }));
    expect(again).toMatchObject({ id: first!.id, created: false });
    const attachments = await client.query(
      `SELECT a."messageId" FROM attachments a JOIN messages m ON m.id = a."messageId"
        WHERE m."accountId" = $1::uuid`,
      [account.id],
    );
    expect(attachments.rows).toEqual([{ messageId: first!.id }]);
    const orphans = await client.query(
      `SELECT count(*)::int AS n FROM attachments a
        WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = a."messageId")`,
    );
    expect(orphans.rows[0].n).toBe(0);
  });
});
