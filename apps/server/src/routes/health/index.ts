import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { migrationStatus } from '../../db/migrations';
import { migrationsDir } from '../../paths';

/**
 * /healthz: the process answers. /readyz: the database answers and every migration this
 * version knows is applied; load balancers send traffic only then.
 */
export async function healthRoutes(app: FastifyInstance, options: { databaseUrl: string }) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const client = new pg.Client({
      connectionString: options.databaseUrl,
      connectionTimeoutMillis: 2000,
    });
    try {
      await client.connect();
      const status = await migrationStatus(client, migrationsDir());
      if (status.pending.length > 0) {
        return reply.code(503).send({ status: 'migrating', pending: status.pending });
      }
      return { status: 'ready', migrations: status.applied.length };
    } catch (error) {
      app.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', error: (error as Error).message });
    } finally {
      await client.end().catch(() => {});
    }
  });
}
