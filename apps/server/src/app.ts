import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config';
import type { Database } from './db/database';
import { loggerOptions } from './logger';
import { authPlugin } from './plugins/auth';
import { compressionPlugin } from './plugins/compression';
import { errorsPlugin } from './plugins/errors';
import { keyringPlugin } from './plugins/keyring';
import { oauthPlugin } from './plugins/oauth';
import { metricsPlugin } from './plugins/metrics';
import { nulCharactersPlugin } from './plugins/nul-characters';
import { openApiPlugin } from './plugins/openapi';
import { securityHeadersPlugin } from './plugins/security-headers';
import { strictSchemasPlugin } from './plugins/strict-schemas';
import { syncEnginePlugin } from './plugins/sync-engine';
import { outboxSenderPlugin, type OutboxSenderPluginOptions } from './plugins/outbox-sender';
import { webAppPlugin } from './plugins/web-app';
import { webDistDir } from './paths';
import websocket from '@fastify/websocket';
import { accountRoutes } from './routes/accounts';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { autoconfigRoutes } from './routes/autoconfig';
import { conversationRoutes } from './routes/conversations';
import { draftRoutes } from './routes/drafts';
import { eventRoutes } from './routes/events';
import { messageRoutes } from './routes/messages';
import { oauthRoutes } from './routes/oauth';
import { outboxRoutes } from './routes/outbox';
import { savedSearchRoutes } from './routes/saved-searches';
import { portabilityRoutes } from './routes/portability';
import { healthRoutes } from './routes/health';
import { identityRoutes } from './routes/identities';
import type { SecretKey } from './secret-key';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    secretKey: SecretKey;
  }
}

export interface AppDependencies {
  config: Config;
  db: Database;
  secretKey: SecretKey;
  /** Where the built web app lives; tests point it elsewhere. */
  webRoot?: string;
  /** Run the scheduler that polls accounts (default true; HTTP tests turn it off). */
  poll?: boolean;
  /** Run the outbox sender (default: as `poll`); tests may shorten its timings or transport. */
  send?: boolean | Omit<OutboxSenderPluginOptions, 'send'>;
}

/** Builds the Fastify instance with everything registered; listening is main.ts's job. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: false,
      },
    },
    logger: loggerOptions(deps.config),
    trustProxy: trustProxyOption(deps.config.trustProxy),
    // Requests in flight when SIGTERM arrives are answered; idle keep-alive sockets are closed.
    forceCloseConnections: 'idle',
  });
  // While stopping, answers to requests in flight close their connection, so that kept-alive
  // sockets do not hold the stop open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.decorate('config', deps.config);
  app.decorate('db', deps.db);
  app.decorate('secretKey', deps.secretKey);

  await app.register(errorsPlugin);
  await app.register(strictSchemasPlugin);
  await app.register(nulCharactersPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(compressionPlugin);
  await app.register(metricsPlugin);
  await app.register(openApiPlugin);
  await app.register(authPlugin);
  await app.register(keyringPlugin);
  await app.register(oauthPlugin);
  await app.register(syncEnginePlugin, { poll: deps.poll ?? true });
  const send = deps.send ?? deps.poll ?? true;
  await app.register(
    outboxSenderPlugin,
    typeof send === 'boolean' ? { send } : { send: true, ...send },
  );
  await app.register(healthRoutes, { databaseUrl: deps.db.url });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(authRoutes);
  await app.register(accountRoutes);
  await app.register(identityRoutes);
  await app.register(autoconfigRoutes);
  await app.register(messageRoutes);
  await app.register(conversationRoutes);
  await app.register(savedSearchRoutes);
  await app.register(oauthRoutes);
  await app.register(outboxRoutes);
  await app.register(draftRoutes);
  await app.register(eventRoutes);
  await app.register(adminRoutes);
  await app.register(portabilityRoutes);
  await app.register(webAppPlugin, { root: deps.webRoot ?? webDistDir() });
  return app;
}

/** A number of hops reaches Fastify as a function: its types take no number. */
function trustProxyOption(setting: Config['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}
