import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessages, type MessageToStore } from '../src/messages/store';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';

// A database of this file's own: it watches every write to conversations.
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
      FOR EACH ROW EXECUTE FUNCTION note_conversation_write();`);
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

async function batch(accountId: string, userId: string, raws: Record<string, Buffer>) {
  return Promise.all(
    Object.entries(raws).map(async ([uidl, raw]): Promise<MessageToStore> => ({
      message: {
        accountId,
        userId,
        uidl,
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: new Date(),
      },
      parsed: await parseMessage(raw),
    })),
  );
}

const writes = async () =>
  (await client.query<{ op: string }>('SELECT op FROM conversation_writes')).rows.map((r) => r.op);

describe('conversations at store', () => {
  it('writes a new conversation once, with its counts, and a joined one once', async () => {
    const { user, account } = await userWithAccount(prisma);
    await storeMessages(
      prisma,
      await batch(account.id, user.id, {
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
      await batch(account.id, user.id, {
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
    const once = () => batch(account.id, user.id, { x: message(null, 'Once') });
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
