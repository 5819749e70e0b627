import pg from 'pg';
import {
  allowAnyPort,
  createMigratedDatabase,
  dropDatabase,
} from '../../apps/server/test/support/databases';

/**
 * A migrated database of the benchmark's own on the real PostgreSQL server (TEST_DATABASE_URL,
 * as for the server tests), open to Dovecot's random port the way the tests open it.
 */
export interface SyncDatabase {
  name: string;
  url: string;
  /** Removes every user, account, message and stored source, so the next round starts equal. */
  empty(): Promise<void>;
  drop(): Promise<void>;
}

export async function createSyncDatabase(): Promise<SyncDatabase> {
  const { name, url } = await createMigratedDatabase('popgate_bench_sync');
  await allowAnyPort(url);
  return {
    name,
    url,
    async empty() {
      // Sources are content-addressed across accounts: a later round must not find them stored.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('TRUNCATE users, message_sources CASCADE');
      } finally {
        await client.end();
      }
    },
    drop: () => dropDatabase(name),
  };
}
