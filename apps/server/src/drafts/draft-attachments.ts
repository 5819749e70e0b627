import { createHash } from 'node:crypto';
import type { DraftAttachmentOut } from '@popgate/contracts';
import { loadPolicy } from '../accounts/account-policy-check';
import { asBytes, storedBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { invalid, notFound, tooLarge } from '../domain-errors';
import { safeFilename } from '../mail/content-disposition';
import { editableDraft } from './drafts';
import { ownedDraft, UUID } from './owned-draft';

/** A file as it arrives: its bytes as a stream, and the length the client declared, if any. */
export interface AttachmentUpload {
  filename: string;
  contentType: string | undefined;
  declaredBytes: number | null;
  body: AsyncIterable<Buffer>;
}

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** The type without its parameters, or application/octet-stream when it is not one. */
function attachmentType(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return MIME_TYPE.test(type) && type.length <= 200 ? type : 'application/octet-stream';
}

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** What a draft holds already: its body and its attachments, in bytes. */
async function heldBytes(prisma: Pick<Db, '$queryRaw'>, draftId: string): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ held: bigint | number | null }>>`
    SELECT octet_length(d.text) + coalesce(octet_length(d.html), 0)
      + coalesce((SELECT sum(a.size) FROM draft_attachments a WHERE a."draftId" = d.id), 0) AS held
    FROM drafts d WHERE d.id = ${draftId}::uuid`;
  return Number(row?.held ?? 0);
}

function tooLargeFor(filename: string, maxBytes: number, held: number) {
  const already = held > 0 ? ` and this message already holds ${megabytes(held)}` : '';
  return tooLarge(
    'ATTACHMENT_TOO_LARGE',
    `"${filename}" is too large: a message may hold at most ${megabytes(maxBytes)} (the administrator's limit), attachments included${already}`,
  );
}

/**
 * Adds a file to the caller's draft. The bytes are read as they come and refused (413) the moment
 * they pass what the draft may still hold: the admin policy's maxOutgoingBytes less what the
 * draft holds already. An empty file is refused (400). Two uploads at once take turns at the end,
 * so they cannot pass the limit together.
 */
export async function addDraftAttachment(
  prisma: Db,
  userId: string,
  draftId: string,
  upload: AttachmentUpload,
): Promise<DraftAttachmentOut> {
  await editableDraft(prisma, userId, draftId);
  const filename = safeFilename(upload.filename, 'attachment');
  const { maxOutgoingBytes } = await loadPolicy(prisma);
  const held = await heldBytes(prisma, draftId);
  const room = maxOutgoingBytes - held;
  if (upload.declaredBytes !== null && upload.declaredBytes > room) {
    throw tooLargeFor(filename, maxOutgoingBytes, held);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upload.body) {
    size += chunk.length;
    if (size > room) throw tooLargeFor(filename, maxOutgoingBytes, held);
    chunks.push(chunk);
  }
  if (size === 0) throw invalid('EMPTY_ATTACHMENT', `"${filename}" is empty`);
  const content = Buffer.concat(chunks, size);
  const sha256 = createHash('sha256').update(content).digest('hex');

  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM drafts WHERE id = ${draftId}::uuid FOR UPDATE`;
    const heldNow = await heldBytes(tx, draftId);
    if (heldNow + size > maxOutgoingBytes) throw tooLargeFor(filename, maxOutgoingBytes, heldNow);
    const created = await tx.draftAttachment.create({
      data: {
        draftId,
        filename,
        contentType: attachmentType(upload.contentType),
        size,
        sha256,
        content: asBytes(content),
      },
      select: { id: true, filename: true, contentType: true, size: true },
    });
    await tx.draft.update({ where: { id: draftId }, data: { updatedAt: new Date() } });
    return created;
  });
}

/** One attachment of the caller's draft, with its bytes. */
export async function draftAttachment(
  prisma: Db,
  userId: string,
  draftId: string,
  attachmentId: string,
): Promise<{ filename: string; contentType: string; content: Buffer }> {
  const draft = await ownedDraft(prisma, userId, draftId, { id: true });
  if (!UUID.test(attachmentId)) throw notFound('No such attachment');
  const attachment = await prisma.draftAttachment.findFirst({
    where: { id: attachmentId, draftId: draft.id },
    select: { filename: true, contentType: true, content: true },
  });
  if (!attachment) throw notFound('No such attachment');
  return { ...attachment, content: storedBytes(attachment.content) };
}

export async function removeDraftAttachment(
  prisma: Db,
  userId: string,
  draftId: string,
  attachmentId: string,
): Promise<void> {
  await editableDraft(prisma, userId, draftId);
  if (!UUID.test(attachmentId)) throw notFound('No such attachment');
  const { count } = await prisma.draftAttachment.deleteMany({
    where: { id: attachmentId, draftId },
  });
  if (count === 0) throw notFound('No such attachment');
  await prisma.draft.update({ where: { id: draftId }, data: { updatedAt: new Date() } });
}
