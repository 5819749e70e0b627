import type { DraftOut, IdentityOut, OutboxItemOut } from '@popgate/contracts';

/** Drafts, identities and outbox items as the API answers them. */

export const DRAFT_ID = '00000000-0000-7000-8000-00000000d001';
export const OUTBOX_ID = '00000000-0000-7000-8000-00000000b001';

export function draft(overrides: Partial<DraftOut> = {}): DraftOut {
  return {
    id: DRAFT_ID,
    identityId: 'id-work',
    to: [],
    cc: [],
    bcc: [],
    subject: '',
    text: '',
    html: '',
    inReplyTo: null,
    forwardOf: null,
    forwardAsAttachment: false,
    attachments: [],
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    maxOutgoingBytes: 25 * 1024 * 1024,
    ...overrides,
  };
}

export function identity(overrides: Partial<IdentityOut> = {}): IdentityOut {
  return {
    id: 'id-work',
    accountId: 'acc-1',
    name: 'Ada Lovelace',
    address: 'ada@work.example',
    replyTo: null,
    signature: { format: 'text', content: 'Ada, at work' },
    smtp: {
      host: 'smtp.work.example',
      port: 587,
      security: 'starttls',
      username: 'ada@work.example',
      auth: 'auto',
      tls: { caPem: null, pinSha256: null },
      passwordSource: 'account',
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function outboxItem(overrides: Partial<OutboxItemOut> = {}): OutboxItemOut {
  return {
    id: OUTBOX_ID,
    draftId: DRAFT_ID,
    identityId: 'id-work',
    messageId: '<b001@work.example>',
    subject: 'Hello',
    recipients: ['Bob <bob@example.com>'],
    status: 'queued',
    undoUntil: new Date(Date.now() + 10_000).toISOString(),
    attempts: 0,
    nextAttemptAt: null,
    lastErrorCode: null,
    lastReply: null,
    rejectedRecipients: [],
    sentAt: null,
    sentMessageId: null,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}
