// The tests use the real PostgreSQL server (TEST_DATABASE_URL, or the local one on 5432).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';

export const testServerUrl = () =>
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function reachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Makes sure PostgreSQL answers; starts the local Debian cluster when it is down. */
export async function ensurePostgres() {
  const url = testServerUrl();
  if (await reachable(url)) return url;
  if (
    !process.env.TEST_DATABASE_URL &&
    fs.existsSync('/usr/bin/pg_ctlcluster') &&
    fs.existsSync('/etc/postgresql')
  ) {
    for (const version of fs.readdirSync('/etc/postgresql')) {
      console.log(`Starting the local PostgreSQL ${version} cluster…`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'inherit',
      });
    }
    for (let i = 0; i < 30; i++) {
      if (await reachable(url)) return url;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(`PostgreSQL does not answer at ${url}; start it or set TEST_DATABASE_URL`);
}
