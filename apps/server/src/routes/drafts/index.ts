import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createDraftRoute } from './create-draft';
import { deleteAttachmentRoute } from './delete-attachment';
import { deleteDraftRoute } from './delete-draft';
import { getAttachmentRoute } from './get-attachment';
import { getDraftRoute } from './get-draft';
import { listDraftsRoute } from './list-drafts';
import { recipientsRoute } from './recipients';
import { sendDraftRoute } from './send-draft';
import { updateDraftRoute } from './update-draft';
import { uploadAttachmentRoute } from './upload-attachment';

/** The /api/drafts routes: the signed-in user's own drafts only (admins included: 404). */
export const draftRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is for the signed-in user only (401 for anyone else).
  app.addHook('preHandler', app.requireUser);
  await app.register(listDraftsRoute);
  await app.register(recipientsRoute);
  await app.register(createDraftRoute);
  await app.register(getDraftRoute);
  await app.register(updateDraftRoute);
  await app.register(deleteDraftRoute);
  await app.register(uploadAttachmentRoute);
  await app.register(getAttachmentRoute);
  await app.register(deleteAttachmentRoute);
  await app.register(sendDraftRoute);
};
