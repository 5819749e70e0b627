import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { identityTransport } from '../outbox/identity-transport';
import { OutboxSender, type SenderOptions } from '../outbox/sender';
import type { OutboxTransport } from '../outbox/transport';

declare module 'fastify' {
  interface FastifyInstance {
    /** Absent when this instance does not send (tests of the HTTP side). */
    outboxSender: OutboxSender | null;
  }
}

export interface OutboxSenderPluginOptions {
  /** Run the sender worker in this process. */
  send: boolean;
  /** Tests shorten the poll, the backoff, the timeouts. */
  options?: Partial<Omit<SenderOptions, 'instanceId'>>;
  /** Tests may reach SMTP some other way; the identities' connection by default. */
  transport?: OutboxTransport;
}

/**
 * The outbox sender inside the server process (beside the sync scheduler): it reaches SMTP
 * servers through the identities' connectSmtp, with the identity's own password or its
 * account's (its provider's tokens when it is signed in with one), under the admin policy as it stands at each connection. Recovers what a dead
 * process left at start-up; stops before the database closes.
 */
async function outboxSender(app: FastifyInstance, plugin: OutboxSenderPluginOptions) {
  const transport: OutboxTransport =
    plugin.transport ??
    identityTransport({
      prisma: app.db.prisma,
      keyring: app.keyring,
      config: { allowPrivateNetworks: app.config.allowPrivateNetworks },
      tokens: app.oauthTokens,
    });
  const sender = plugin.send
    ? new OutboxSender(
        {
          prisma: app.db.prisma,
          events: app.events,
          transport,
          log: app.log.child({ component: 'outbox' }),
        },
        {
          maxConnections: app.config.sendConnections,
          leaseSeconds: app.config.sendLeaseSeconds,
          ...plugin.options,
          instanceId: app.syncContext.instanceId,
        },
      )
    : null;
  app.decorate('outboxSender', sender);
  app.addHook('onReady', async () => sender?.start());
  app.addHook('onClose', async () => sender?.stop());
}

export const outboxSenderPlugin = fp(outboxSender, {
  name: 'outbox-sender',
  dependencies: ['keyring', 'oauth', 'sync-engine'],
});
