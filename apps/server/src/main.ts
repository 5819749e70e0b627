import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { loadSecretKey } from './secret-key';

/** Starts Popgate: config, database (migrated), HTTP; stops gracefully on SIGTERM and SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const secretKey = loadSecretKey(config.secretKey, config.dataDir);
  const db = await openDatabase(config);
  const app = await buildApp({ config, db, secretKey });
  if (db.appliedMigrations.length > 0) {
    app.log.info({ migrations: db.appliedMigrations }, 'database migrated');
  }
  app.log.info(
    { database: db.embedded ? `embedded (${config.dataDir})` : 'external' },
    'database ready',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: finishing requests in flight');
    const timer = setTimeout(() => {
      app.log.error('graceful stop took too long; exiting');
      process.exit(1);
    }, 15_000);
    timer.unref();
    try {
      await app.close();
      await db.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(
    `Popgate is running at http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(
    `Popgate failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(error);
  process.exit(1);
});
