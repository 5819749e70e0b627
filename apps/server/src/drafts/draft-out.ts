import type { DraftOut } from '@popgate/contracts';
import type { Prisma } from '../generated/prisma/client';
import { storedAddresses } from './owned-draft';

/** The columns a draft is answered with (never attachment bytes). */
export const draftOutSelect = {
  id: true,
  identityId: true,
  to: true,
  cc: true,
  bcc: true,
  subject: true,
  text: true,
  html: true,
  inReplyToId: true,
  forwardOfId: true,
  forwardAsAttachment: true,
  createdAt: true,
  updatedAt: true,
  attachments: {
    select: { id: true, filename: true, contentType: true, size: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  },
} satisfies Prisma.DraftSelect;

export type DraftOutRow = Prisma.DraftGetPayload<{ select: typeof draftOutSelect }>;

/** `maxOutgoingBytes`: the admin policy's, told so the compose form can show it before an upload. */
export function toDraftOut(row: DraftOutRow, maxOutgoingBytes: number): DraftOut {
  return {
    id: row.id,
    identityId: row.identityId,
    to: storedAddresses(row.to),
    cc: storedAddresses(row.cc),
    bcc: storedAddresses(row.bcc),
    subject: row.subject,
    text: row.text,
    html: row.html,
    inReplyTo: row.inReplyToId,
    forwardOf: row.forwardOfId,
    forwardAsAttachment: row.forwardAsAttachment,
    attachments: row.attachments,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    maxOutgoingBytes,
  };
}
