import { linkAccount } from '../../apps/server/src/accounts/link-account';
import { createPrismaClient, type Db } from '../../apps/server/src/db/prisma';
import { syncAccount, type SyncResult } from '../../apps/server/src/sync/account-sync';
import { testSyncContext } from '../../apps/server/test/support/sync-context';
import type { FetchTarget } from '../pop3-fetch/fetch-with-popgate';

/** The server's own pool size on a real PostgreSQL (apps/server/src/db/database.ts). */
const POOL_SIZE = 10;

/**
 * Popgate's sync engine on a database: the context the server builds (events fanned out through
 * LISTEN/NOTIFY as on a real server), accounts linked as the API links them, and one session
 * through `syncAccount`, the function the scheduler runs for an account.
 */
export class PopgateSync {
  private constructor(
    readonly prisma: Db,
    private readonly harness: Awaited<ReturnType<typeof testSyncContext>>,
  ) {}

  static async open(databaseUrl: string): Promise<PopgateSync> {
    const prisma = createPrismaClient(databaseUrl, POOL_SIZE);
    const harness = await testSyncContext(prisma, {
      listenUrl: databaseUrl,
      instanceId: 'bench-sync',
    });
    return new PopgateSync(prisma, harness);
  }

  /** A new user with the mailbox linked over implicit TLS, trusting Dovecot's CA. */
  async link(target: FetchTarget): Promise<string> {
    const user = await this.prisma.user.create({
      data: { email: `${target.username}-${Date.now()}@bench.popgate.test` },
    });
    const account = await linkAccount(this.prisma, this.harness.keyring, user.id, {
      label: target.username,
      host: target.host,
      port: target.port,
      security: 'tls',
      username: target.username,
      password: target.password,
      auth: 'auto',
      tls: { caPem: target.caPem },
    });
    return account.id;
  }

  /** One session; a failed one fails the benchmark. */
  async sync(accountId: string): Promise<SyncResult> {
    const result = await syncAccount(this.harness.ctx, accountId, new AbortController().signal);
    if (!result.ok)
      throw new Error(`sync failed: ${result.failure?.code} ${result.failure?.message}`);
    this.harness.events.length = 0; // the recorded events are not needed; do not let them pile up
    return result;
  }

  async close(): Promise<void> {
    await this.harness.close();
    await this.prisma.$disconnect();
  }
}
