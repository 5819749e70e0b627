import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hashToken, SESSION_DAYS } from '../../apps/server/src/users/sessions';

/**
 * `count` users, each signed in once: returns the session tokens their cookies carry. Written
 * straight to the tables, the way Popgate's sign-in stores them (only the token's hash).
 */
export async function signedInUsers(url: string, count: number): Promise<string[]> {
  const tokens = Array.from({ length: count }, () => randomBytes(32).toString('base64url'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, email, "passwordHash", "updatedAt")
       SELECT gen_random_uuid(), 'reader' || n || '@example.test', 'unused', now()
         FROM generate_series(1, $1::int) AS n`,
      [count],
    );
    await client.query(
      `INSERT INTO sessions (id, "tokenHash", "userId", "expiresAt", ip)
       SELECT gen_random_uuid(), hashes.hash, users.id,
              timezone('UTC', now()) + make_interval(days => $2::int), '127.0.0.1'
         FROM unnest($1::text[]) WITH ORDINALITY AS hashes(hash, n)
         JOIN users ON users.email = 'reader' || hashes.n || '@example.test'`,
      [tokens.map(hashToken), SESSION_DAYS],
    );
    return tokens;
  } finally {
    await client.end();
  }
}
