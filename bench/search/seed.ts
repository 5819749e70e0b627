import pg from 'pg';

/**
 * One user, one account and `count` messages in four scripts (a quarter each): English, German
 * with umlauts (Jürgen, Grüße), Russian with ё (отчёт), and Japanese/Chinese without spaces.
 * Inserted by one INSERT ... SELECT per 5,000 rows so the search trigger indexes them as synced
 * mail; every 100th message carries tag<NN> (1% each), 1 in 3 is unread.
 */
export async function seedMultilingual(url: string, count: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = Date.now();
  try {
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (id, email, "passwordHash", "updatedAt")
       VALUES (gen_random_uuid(), 'bench@example.test', 'unused', now()) RETURNING id`,
    );
    const userId = user.rows[0]!.id;
    const account = await client.query<{ id: string }>(
      `INSERT INTO pop3_accounts (id, "userId", label, host, port, username, "secretCiphertext",
                                  "secretKeyId", "updatedAt")
       VALUES (gen_random_uuid(), $1, 'bench', 'pop.example.test', 995, 'bench', '\\x00', 'bench', now())
       RETURNING id`,
      [userId],
    );
    const accountId = account.rows[0]!.id;
    const vocab = {
      en: 'invoice meeting quarterly report project travel order support the and for with you please thanks budget review schedule client offer'.split(
        ' ',
      ),
      de: 'Rechnung Besprechung Bericht Jürgen Müller Straße Grüße Übersicht und die der das bitte für Angebot Termin Kunde Projekt'.split(
        ' ',
      ),
      ru: 'отчёт встреча счёт проект привет ёлка договор клиент бюджет неделя пожалуйста спасибо и в на'.split(
        ' ',
      ),
      cjk: '会議 資料 報告 明日 予定 请查看 项目 通知 予算 顧客 確認 お願い 今週 来週 附件 合同'.split(
        ' ',
      ),
    };
    const BATCH = 5000;
    for (let from = 1; from <= count; from += BATCH) {
      const to = Math.min(count, from + BATCH - 1);
      await client.query(
        `WITH v AS (SELECT $3::text[] AS en, $4::text[] AS de, $5::text[] AS ru, $6::text[] AS cjk)
         INSERT INTO messages (id, "accountId", "userId", uidl, size, subject, "fromName",
                               "fromAddress", date, "receivedAt", snippet, "textBody", seen)
         SELECT gen_random_uuid(), $1, $2, 'uid-' || i, 2000 + i % 5000, s.subject,
                'Sender ' || i % 500, 'sender' || i % 500 || '@example' || i % 7 || '.com',
                timestamp '2026-12-01' - make_interval(mins => i), timestamp '2026-12-01' - make_interval(mins => i),
                left(s.body, 200), s.body, i % 3 <> 0
           FROM generate_series($7::int, $8::int) AS i, v,
           LATERAL (SELECT CASE i % 4 WHEN 0 THEN v.en WHEN 1 THEN v.de WHEN 2 THEN v.ru ELSE v.cjk END AS words) w,
           LATERAL (SELECT
             array_to_string(ARRAY(SELECT w.words[1 + (i * 7 + j * 13) % array_length(w.words, 1)]
                                     FROM generate_series(1, 4) j), CASE WHEN i % 4 = 3 THEN '' ELSE ' ' END)
               || ' ' || i AS subject,
             array_to_string(ARRAY(SELECT w.words[1 + (i * 11 + j * 17 + j * j) % array_length(w.words, 1)]
                                     FROM generate_series(1, 40) j), CASE WHEN i % 4 = 3 THEN '' ELSE ' ' END)
               || ' tag' || i % 100 AS body) s`,
        [accountId, userId, vocab.en, vocab.de, vocab.ru, vocab.cjk, from, to],
      );
    }
    await client.query('ANALYZE messages');
    return { userId, accountId, seconds: (Date.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}
