import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { storeMessages } from '../src/messages/store';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';
import { storeBatch } from './support/store-batch';

// A database of this file's own: its document function counts the documents it builds.
let prisma: Db;
let database: { name: string; url: string };
let client: pg.Client;
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_threading_lock');
  prisma = createPrismaClient(database.url, 4);
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  // A sequence moves outside transactions: another session sees each document as it is built.
  await client.query(`
    CREATE SEQUENCE documents_built;
    ALTER FUNCTION popgate_message_document(uuid, text, text, text, jsonb, jsonb, text, text)
      RENAME TO popgate_message_document_uncounted;
    CREATE FUNCTION popgate_message_document(
      message_id uuid, subject text, from_name text, from_address text, to_list jsonb,
      cc_list jsonb, text_body text, snippet text
    ) RETURNS tsvector LANGUAGE sql VOLATILE AS $$
      SELECT popgate_message_document_uncounted(message_id, subject, from_name, from_address,
               to_list, cc_list, text_body, snippet)
        FROM (SELECT nextval('documents_built')) counted
    $$;`);
});
afterAll(async () => {
  await client.end();
  await prisma.$disconnect();
  await dropDatabase(database.name);
});

const message = (subject: string, headers: string[], body = 'Body.') =>
  Buffer.from(
    [
      'From: Ada <ada@example.test>',
      `Subject: ${subject}`,
      'Date: Mon, 02 Nov 2026 08:00:00 +0000',
      ...headers,
      '',
      body,
      '',
    ].join('\r\n'),
  );

const built = async () =>
  Number(
    (
      await client.query<{ n: string }>(
        'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM documents_built',
      )
    ).rows[0]!.n,
  );

/**
 * Holds the user's threading lock (conversations/assign.ts takes the same one) in a transaction
 * of its own until `release`, and waits for `waiters` stores to queue behind it.
 */
async function holdThreadingLock(userId: string) {
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(
    "SELECT pg_advisory_xact_lock(hashtextextended('popgate.conversations:' || $1, 0))",
    [userId],
  );
  return {
    async waiters(count: number) {
      for (;;) {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
          [database.name],
        );
        if (rows[0]!.n >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async release() {
      await holder.query('COMMIT');
      await holder.end();
    },
  };
}

describe('the threading lock at store', () => {
  it("builds a batch's search documents while another batch of the user holds the lock", async () => {
    const { user, account } = await userWithAccount(prisma);
    const lock = await holdThreadingLock(user.id);
    const before = await built();
    const storing = storeMessages(
      prisma,
      await storeBatch(account.id, user.id, {
        a: message('Quarterly report', ['Message-ID: <a@example.test>']),
        b: message('会議の資料', ['Message-ID: <b@example.test>'], 'Jürgen schickt den Bericht.'),
        c: message('Lunch', []),
      }),
    );
    await lock.waiters(1);
    // Waiting for the lock, with every document of its batch built.
    expect((await built()) - before).toBe(3);
    await lock.release();
    const stored = await storing;
    expect(stored.map((s) => s.created)).toEqual([true, true, true]);
    // Built once: the messages' trigger kept the documents it was given.
    expect((await built()) - before).toBe(3);
    const found = await client.query<{ uidl: string }>(
      `SELECT uidl FROM messages
        WHERE "accountId" = $1::uuid AND search @@ popgate_search_term($2, false, '')
        ORDER BY uidl`,
      [account.id, 'jurgen'],
    );
    expect(found.rows).toEqual([{ uidl: 'b' }]);
  });

  it('puts a reply and its parent in one conversation when their batches wait for the lock together', async () => {
    const { user, account } = await userWithAccount(prisma);
    const other = await prisma.pop3Account.create({
      data: {
        userId: user.id,
        label: 'Other',
        host: 'pop.example.test',
        port: 995,
        username: `other-${account.id}`,
        secretCiphertext: new Uint8Array([0]),
        secretKeyId: 'test',
      },
    });
    const lock = await holdThreadingLock(user.id);
    const parent = storeMessages(
      prisma,
      await storeBatch(account.id, user.id, {
        p: message('Plans', ['Message-ID: <plans@example.test>']),
      }),
    );
    const reply = storeMessages(
      prisma,
      await storeBatch(other.id, user.id, {
        r: message('Re: Plans', [
          'Message-ID: <plans-reply@example.test>',
          'In-Reply-To: <plans@example.test>',
        ]),
      }),
    );
    await lock.waiters(2);
    await lock.release();
    await Promise.all([parent, reply]);
    const { rows } = await client.query<{ conversationId: string; messageCount: number }>(
      `SELECT m."conversationId", c."messageCount"
         FROM messages m JOIN conversations c ON c.id = m."conversationId"
        WHERE m."userId" = $1::uuid`,
      [user.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.conversationId).toBe(rows[1]!.conversationId);
    expect(rows[0]!.messageCount).toBe(2);
  });

  it('stages batch after batch in one table per connection, empty after each commit', async () => {
    // One connection, so every store and every look below is the same session.
    const single = createPrismaClient(database.url, 1);
    try {
      const { user, account } = await userWithAccount(single);
      const staging = async () =>
        (
          await single.$queryRawUnsafe<{ oid: number | null; rows: number | null }[]>(
            `SELECT to_regclass('pg_temp.new_messages')::oid::int AS oid,
                    CASE WHEN to_regclass('pg_temp.new_messages') IS NULL THEN NULL
                         ELSE (SELECT count(*)::int FROM pg_temp.new_messages) END AS rows`,
          )
        )[0]!;
      await storeMessages(
        single,
        await storeBatch(account.id, user.id, { a: message('First batch', []) }),
      );
      const first = await staging();
      expect(first.oid).not.toBeNull();
      expect(first.rows).toBe(0);
      const stored = await storeMessages(
        single,
        await storeBatch(account.id, user.id, {
          b: message('Second batch', []),
          c: message('Third message', []),
        }),
      );
      // The same table again (no catalog rows written for it), emptied at commit.
      expect(await staging()).toEqual({ oid: first.oid, rows: 0 });
      expect(stored.map((result) => result.created)).toEqual([true, true]);
      const found = await single.$queryRawUnsafe<{ subject: string }[]>(
        `SELECT subject FROM messages WHERE "accountId" = $1::uuid
            AND search @@ popgate_search_term('batch', false, '') ORDER BY subject`,
        account.id,
      );
      expect(found.map((row) => row.subject)).toEqual(['First batch', 'Second batch']);
    } finally {
      await single.$disconnect();
    }
  });

  it('keeps the document the trigger builds for a message written without one', async () => {
    const { user, account } = await userWithAccount(prisma);
    const [stored] = await storeMessages(
      prisma,
      await storeBatch(account.id, user.id, {
        s: message('Отчёт за квартал', ['Cc: Carol <carol@example.net>'], 'Сводка по отчёту.'),
      }),
    );
    // The store's document is the one the trigger builds from the same row.
    const same = await client.query<{ same: boolean }>(
      `WITH before AS (SELECT search FROM messages WHERE id = $1::uuid),
            rebuilt AS (UPDATE messages SET subject = subject WHERE id = $1::uuid RETURNING search)
       SELECT (SELECT search FROM before) = (SELECT search FROM rebuilt) AS same`,
      [stored!.id],
    );
    expect(same.rows[0]!.same).toBe(true);
    // Written another way (no document given), the trigger builds it.
    const written = await client.query<{ found: boolean }>(
      `INSERT INTO messages (id, "accountId", "userId", uidl, size, date, subject)
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, 'plain', 1, now(), 'Отчёт')
       RETURNING search @@ popgate_search_term('отчет', false, '') AS found`,
      [account.id, user.id],
    );
    expect(written.rows[0]!.found).toBe(true);
  });
});
