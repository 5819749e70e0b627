import type { DraftIn, DraftOut, DraftPatch } from '@popgate/contracts';
import { loadPolicy } from '../accounts/account-policy-check';
import { asBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { conflict, invalid, notFound } from '../domain-errors';
import { DRAFT_HIDDEN_WHILE } from '../outbox/statuses';
import { deriveFromMessage } from './derive-from-message';
import { draftOutSelect, toDraftOut } from './draft-out';
import { ownedDraft, UUID } from './owned-draft';

/**
 * While its send is queued, under way, done or of unknown outcome a draft is the outbox's: not in
 * Drafts, and not to be changed (the bytes being sent would no longer be what the user sees).
 */
const HANDED_TO_OUTBOX = DRAFT_HIDDEN_WHILE;

/** Drafts listed at most: a person has a handful; the list is bounded all the same. */
const MAX_LISTED = 500;

/** The admin's limit for a whole outgoing message, answered with every draft. */
const outgoingLimit = async (prisma: Db) => (await loadPolicy(prisma)).maxOutgoingBytes;

const addresses = (list: Array<{ name: string; address: string }> | undefined) =>
  list?.map((r) => ({ name: r.name, address: r.address }));

/** The identity must be the user's own; null clears it. */
async function checkIdentity(prisma: Db, userId: string, identityId: string | null | undefined) {
  if (!identityId) return;
  const found = await prisma.identity.count({ where: { id: identityId, userId } });
  if (!found) throw invalid('UNKNOWN_IDENTITY', 'No such identity: choose one of yours');
}

/**
 * A new draft. With `inReplyTo` or `forwardOf` the server fills in what the client leaves out
 * (deriveFromMessage); every field the client gives wins, and `text` without `html` means a
 * plain-text draft.
 */
export async function createDraft(prisma: Db, userId: string, input: DraftIn): Promise<DraftOut> {
  await checkIdentity(prisma, userId, input.identityId);
  const derived = await deriveFromMessage(prisma, userId, input);
  const row = await prisma.draft.create({
    data: {
      userId,
      identityId: input.identityId !== undefined ? input.identityId : (derived?.identityId ?? null),
      to: addresses(input.to ?? derived?.to) ?? [],
      cc: addresses(input.cc ?? derived?.cc) ?? [],
      bcc: addresses(input.bcc) ?? [],
      subject: input.subject ?? derived?.subject ?? '',
      text: input.text ?? derived?.text ?? '',
      // A client that writes the text itself and no HTML writes plain text: the derived HTML
      // quote would otherwise become the message and the client's words would be lost.
      html:
        input.html !== undefined
          ? input.html
          : input.text !== undefined
            ? null
            : (derived?.html ?? null),
      inReplyToId: derived?.inReplyToId ?? null,
      forwardOfId: derived?.forwardOfId ?? null,
      forwardAsAttachment: derived?.forwardAsAttachment ?? false,
      inReplyToHeader: derived?.inReplyToHeader ?? null,
      referencesHeader: derived?.referencesHeader ?? null,
      attachments: {
        create: (derived?.attachments ?? []).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          sha256: a.sha256,
          content: asBytes(a.content),
        })),
      },
    },
    select: draftOutSelect,
  });
  return toDraftOut(row, await outgoingLimit(prisma));
}

export async function getDraft(prisma: Db, userId: string, id: string): Promise<DraftOut> {
  const row = UUID.test(id)
    ? await prisma.draft.findFirst({ where: { id, userId }, select: draftOutSelect })
    : null;
  if (!row) throw notFound('No such draft');
  return toDraftOut(row, await outgoingLimit(prisma));
}

/** The user's drafts, newest first, without those handed to the outbox. */
export async function listDrafts(prisma: Db, userId: string): Promise<DraftOut[]> {
  const rows = await prisma.draft.findMany({
    where: { userId, outboxItems: { none: { status: { in: HANDED_TO_OUTBOX } } } },
    orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
    take: MAX_LISTED,
    select: draftOutSelect,
  });
  const limit = await outgoingLimit(prisma);
  return rows.map((row) => toDraftOut(row, limit));
}

/** The caller's draft, or not found; a draft handed to the outbox cannot change (409). */
export async function editableDraft(
  prisma: Db,
  userId: string,
  id: string,
): Promise<{ id: string }> {
  const draft = await ownedDraft(prisma, userId, id, {
    id: true,
    outboxItems: { where: { status: { in: HANDED_TO_OUTBOX } }, select: { status: true }, take: 1 },
  });
  if (draft.outboxItems.length > 0) {
    throw conflict(
      'DRAFT_BEING_SENT',
      'This draft is being sent (or was): undo the send in the outbox to change it',
    );
  }
  return { id: draft.id };
}

/** Autosave: what the patch names changes, the rest keeps its value. */
export async function updateDraft(
  prisma: Db,
  userId: string,
  id: string,
  patch: DraftPatch,
): Promise<DraftOut> {
  await editableDraft(prisma, userId, id);
  await checkIdentity(prisma, userId, patch.identityId);
  const row = await prisma.draft.update({
    where: { id },
    data: {
      ...(patch.identityId !== undefined && { identityId: patch.identityId }),
      ...(patch.to && { to: addresses(patch.to) }),
      ...(patch.cc && { cc: addresses(patch.cc) }),
      ...(patch.bcc && { bcc: addresses(patch.bcc) }),
      ...(patch.subject !== undefined && { subject: patch.subject }),
      ...(patch.text !== undefined && { text: patch.text }),
      ...(patch.html !== undefined && { html: patch.html }),
      // An empty patch still says "saved now".
      updatedAt: new Date(),
    },
    select: draftOutSelect,
  });
  return toDraftOut(row, await outgoingLimit(prisma));
}

/** Removes the draft and its attachments; an outbox item sent from it keeps its own bytes. */
export async function deleteDraft(prisma: Db, userId: string, id: string): Promise<void> {
  const draft = await ownedDraft(prisma, userId, id, { id: true });
  await prisma.draft.delete({ where: { id: draft.id } });
}
