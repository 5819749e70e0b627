import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sealAccountSecret } from '../../apps/server/src/accounts/account-secret';
import { Keyring } from '../../apps/server/src/crypto/secret-box';
import { secretKeyId } from '../../apps/server/src/secret-key';

export interface ScaleSeed {
  accounts: number;
  /** Accounts go round-robin over these addresses (the load server's). */
  addresses: string[];
  port: number;
  security: 'none' | 'tls';
  /** The load server's certificate, pinned on every account (TLS only). */
  pinSha256?: string;
  password: string;
  /** The key Popgate is started with (POPGATE_SECRET_KEY): passwords are sealed with it. */
  secretKey: Buffer;
  /** First checks are spread evenly over this many seconds from now. */
  spreadSeconds: number;
  /** Messages 1..n of each mailbox are stored already (the load server's initial ones). */
  storedMessages: number;
}

const BATCH = 5000;

/**
 * Users (a tenth as many as accounts) and accounts in a handful of INSERT ... SELECT over unnest
 * of arrays: each password sealed for its own account by the keyring Popgate opens it with (a
 * sealed secret is bound to its account's id, so one ciphertext cannot serve two accounts).
 */
export async function seedAccounts(url: string, seed: ScaleSeed): Promise<void> {
  const keyring = new Keyring({ id: secretKeyId(seed.secretKey), key: seed.secretKey });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const users = Math.max(1, Math.ceil(seed.accounts / 10));
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO users (id, email, "updatedAt")
       SELECT gen_random_uuid(), 'scale' || n || '@load.example', now()
         FROM generate_series(1, $1::int) AS n
       RETURNING id`,
      [users],
    );
    const userIds = rows.map((row) => row.id);
    for (let from = 0; from < seed.accounts; from += BATCH) {
      const n = Math.min(BATCH, seed.accounts - from);
      const ids: string[] = [];
      const owners: string[] = [];
      const hosts: string[] = [];
      const usernames: string[] = [];
      const secrets: Buffer[] = [];
      const offsets: number[] = [];
      for (let i = from; i < from + n; i++) {
        const id = randomUUID();
        ids.push(id);
        owners.push(userIds[i % users]!);
        hosts.push(seed.addresses[i % seed.addresses.length]!);
        usernames.push(`u${i}`);
        secrets.push(Buffer.from(sealAccountSecret(keyring, id, seed.password).secretCiphertext));
        offsets.push((i / seed.accounts) * seed.spreadSeconds);
      }
      await client.query(
        `INSERT INTO pop3_accounts (id, "userId", label, host, port, security, username,
                                    "secretCiphertext", "secretKeyId", "tlsPinSha256",
                                    "nextSyncAt", "updatedAt")
         SELECT t.id, t.owner, 'load ' || t.username, t.host, $7, $8::"Security", t.username,
                t.secret, $9, $10, now() + make_interval(secs => t.offset_s), now()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bytea[], $6::float8[])
                AS t(id, owner, host, username, secret, offset_s)`,
        [
          ids,
          owners,
          hosts,
          usernames,
          secrets,
          offsets,
          seed.port,
          seed.security,
          keyring.current.id,
          seed.pinSha256 ?? null,
        ],
      );
    }
    // Each mailbox as its first check left it: the server's first messages stored, status ok;
    // the window then measures the polls of a running deployment, not the first downloads.
    await client.query(
      `INSERT INTO messages (id, "accountId", "userId", uidl, size, subject, "fromName",
                             "fromAddress", date, snippet, "textBody")
       SELECT gen_random_uuid(), a.id, a."userId", a.username || '-' || k, 400,
              'Load message ' || k || ' for ' || a.username, 'Sender ' || k,
              'sender' || k || '@load.example', timestamp '2026-01-01' + make_interval(mins => k),
              'Hello ' || a.username, 'Hello ' || a.username || ', this is message ' || k || '.'
         FROM pop3_accounts AS a, generate_series(1, $1::int) AS k`,
      [seed.storedMessages],
    );
    await client.query(`UPDATE pop3_accounts SET status = 'ok', "lastSyncAt" = now()`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}
