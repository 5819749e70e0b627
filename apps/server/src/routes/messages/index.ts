import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHtmlRenderer } from '../../mail/html-renderer';
import { ImageProxySigner } from '../../mail/remote-images';
import { embeddedMessageRoutes } from './embedded-message';
import { fetchFullRoute } from './fetch-full';
import { getAttachmentRoute } from './get-attachment';
import { getMessageRoute } from './get-message';
import { getRawRoute } from './get-raw';
import { imageProxyRoute } from './image-proxy';
import { listMessagesRoute } from './list-messages';
import { permanentDeleteRoutes } from './permanent-delete-routes';
import { trashRoutes } from './trash-routes';
import { trustSenderRoutes } from './trust-sender';
import { unsubscribeRoute } from './unsubscribe';
import { updateFlagsRoutes } from './update-flags';

/** The /api/messages routes: the caller's own mail only, never anyone else's (admins included). */
export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is for the signed-in user only (401 for anyone else).
  app.addHook('preHandler', app.requireUser);
  const signer = new ImageProxySigner(app.secretKey.key);
  const renderer = createHtmlRenderer({
    secretKey: app.secretKey.key,
    timeBudgetMs: app.config.htmlTimeBudgetMs,
    inlineMaxBytes: app.config.htmlInlineMaxBytes,
    onError: (error) => app.log.warn({ err: error }, 'sanitizing a message failed'),
  });
  app.addHook('onClose', () => renderer.close());
  await app.register(listMessagesRoute);
  await app.register(getMessageRoute, { renderer });
  await app.register(getRawRoute);
  await app.register(getAttachmentRoute);
  await app.register(embeddedMessageRoutes, { renderer });
  await app.register(imageProxyRoute, { signer });
  await app.register(updateFlagsRoutes);
  await app.register(trashRoutes);
  await app.register(permanentDeleteRoutes);
  await app.register(trustSenderRoutes);
  await app.register(unsubscribeRoute);
  await app.register(fetchFullRoute, { renderer });
};
