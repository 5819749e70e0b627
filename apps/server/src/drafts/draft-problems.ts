import type { DraftProblem } from '@popgate/contracts';
import { breaksHeader, isMailboxAddress, type ComposeAddress } from '../mail/compose-address';

export interface DraftToCheck {
  identity: { name: string; address: string; replyTo: ComposeAddress | null } | null;
  to: ComposeAddress[];
  cc: ComposeAddress[];
  bcc: ComposeAddress[];
  subject: string;
  /** Bytes of the body and the attachments, before MIME encoding. */
  totalBytes: number;
}

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Everything that keeps a draft from being sent, each problem named by its field (and value), so
 * that the user sees them all at once: no identity, no recipient, a recipient that is not an
 * address, a line break in the subject or a name (it would start a header of its own), more bytes
 * than the admin allows.
 */
export function draftProblems(draft: DraftToCheck, maxOutgoingBytes: number): DraftProblem[] {
  const problems: DraftProblem[] = [];
  if (!draft.identity) {
    problems.push({ field: 'identityId', message: 'Choose who this message is from' });
  } else {
    if (breaksHeader(draft.identity.name) || !isMailboxAddress(draft.identity.address)) {
      problems.push({
        field: 'identityId',
        value: draft.identity.address,
        message: 'The identity this is sent from has an unusable name or address',
      });
    }
  }
  if (draft.to.length + draft.cc.length + draft.bcc.length === 0) {
    problems.push({ field: 'to', message: 'Add at least one recipient' });
  }
  for (const field of ['to', 'cc', 'bcc'] as const) {
    for (const recipient of draft[field]) {
      if (!isMailboxAddress(recipient.address.trim())) {
        problems.push({
          field,
          value: recipient.address,
          message: `"${recipient.address}" is not an e-mail address`,
        });
      }
      if (breaksHeader(recipient.name)) {
        problems.push({
          field,
          value: recipient.address,
          message: `The name of ${recipient.address} contains a line break or control character`,
        });
      }
    }
  }
  if (breaksHeader(draft.subject)) {
    problems.push({
      field: 'subject',
      message: 'The subject contains a line break or control character',
    });
  }
  if (draft.totalBytes > maxOutgoingBytes) {
    problems.push({
      field: 'attachments',
      message: `The message is ${megabytes(draft.totalBytes)}; at most ${megabytes(maxOutgoingBytes)} may be sent`,
    });
  }
  return problems;
}
