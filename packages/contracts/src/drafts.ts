import { Type, type Static } from 'typebox';
import { Address } from './messages';
import { Nullable } from './nullable';

/**
 * A recipient as a draft keeps it. A draft may hold what the user is still typing: addresses
 * are checked when it is sent, and each problem is reported with the field it is in.
 */
export const DraftAddress = Type.Object(
  { name: Type.String({ maxLength: 200 }), address: Type.String({ maxLength: 320 }) },
  { additionalProperties: false },
);
export type DraftAddress = Static<typeof DraftAddress>;

const Recipients = Type.Array(DraftAddress, { maxItems: 500 });
const Subject = Type.String({ maxLength: 998 });
/** Bodies are bounded so that one autosave cannot hold the server: 2 MB of text each. */
const Body = Type.String({ maxLength: 2_000_000 });

export const ForwardAs = Type.Union([Type.Literal('inline'), Type.Literal('attachment')]);
export type ForwardAs = Static<typeof ForwardAs>;

/**
 * POST /api/drafts. Every field is optional. With `inReplyTo` (a Popgate message id) the server
 * fills in what is not given: the recipients (`replyAll` adds the other recipients, never the
 * user's own addresses), "Re: subject", the quoted original, the identity of the account the
 * message came in on, and the threading headers. With `forwardOf` likewise: "Fwd: subject", the
 * original quoted inline with its attachments, or attached as an .eml (`forwardAs: "attachment"`).
 */
export const DraftIn = Type.Object(
  {
    identityId: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
    to: Type.Optional(Recipients),
    cc: Type.Optional(Recipients),
    bcc: Type.Optional(Recipients),
    subject: Type.Optional(Subject),
    text: Type.Optional(Body),
    /** The rich-text body; null (or absent) writes plain text only. */
    html: Type.Optional(Nullable(Body)),
    inReplyTo: Type.Optional(Type.String({ format: 'uuid' })),
    replyAll: Type.Optional(Type.Boolean()),
    forwardOf: Type.Optional(Type.String({ format: 'uuid' })),
    forwardAs: Type.Optional(ForwardAs),
  },
  { additionalProperties: false },
);
export type DraftIn = Static<typeof DraftIn>;

/** PATCH /api/drafts/:id (autosave): any subset; what is left out keeps its value. */
export const DraftPatch = Type.Object(
  {
    identityId: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
    to: Type.Optional(Recipients),
    cc: Type.Optional(Recipients),
    bcc: Type.Optional(Recipients),
    subject: Type.Optional(Subject),
    text: Type.Optional(Body),
    html: Type.Optional(Nullable(Body)),
  },
  { additionalProperties: false },
);
export type DraftPatch = Static<typeof DraftPatch>;

export const DraftAttachmentOut = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
});
export type DraftAttachmentOut = Static<typeof DraftAttachmentOut>;

export const DraftOut = Type.Object({
  id: Type.String(),
  identityId: Nullable(Type.String()),
  to: Type.Array(Address),
  cc: Type.Array(Address),
  bcc: Type.Array(Address),
  subject: Type.String(),
  text: Type.String(),
  html: Nullable(Type.String()),
  /** The Popgate message this answers (null when there is none, or it was deleted). */
  inReplyTo: Nullable(Type.String()),
  forwardOf: Nullable(Type.String()),
  forwardAsAttachment: Type.Boolean(),
  attachments: Type.Array(DraftAttachmentOut),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** The administrator's limit for a whole outgoing message (text and attachments), in bytes. */
  maxOutgoingBytes: Type.Integer(),
});
export type DraftOut = Static<typeof DraftOut>;

/** GET /api/drafts: newest first (drafts being sent are in the outbox, not here). */
export const DraftList = Type.Object({ items: Type.Array(DraftOut) });
export type DraftList = Static<typeof DraftList>;

export const DraftIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type DraftIdParams = Static<typeof DraftIdParams>;

export const DraftAttachmentParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  attachmentId: Type.String({ format: 'uuid' }),
});
export type DraftAttachmentParams = Static<typeof DraftAttachmentParams>;

/**
 * POST /api/drafts/:id/attachments: the request body is the file's bytes, its Content-Type the
 * file's type, the name in the query. Above the admin's size limit: 413 with a clear message.
 */
export const DraftAttachmentQuery = Type.Object(
  { filename: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
export type DraftAttachmentQuery = Static<typeof DraftAttachmentQuery>;

/** What is wrong with a draft that cannot be sent, field by field. */
export const DraftProblem = Type.Object({
  /** "to", "cc", "bcc", "subject", "identityId", "attachments", "body". */
  field: Type.String(),
  /** The offending value (a recipient's address), when there is one. */
  value: Type.Optional(Type.String()),
  message: Type.String(),
});
export type DraftProblem = Static<typeof DraftProblem>;

/**
 * GET /api/drafts/recipients?q=: address completion for the To, Cc and Bcc fields, from the From,
 * To and Cc of the user's own recent mail (up to 10, the most frequent first, then the most recent).
 */
export const RecipientQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
export type RecipientQuery = Static<typeof RecipientQuery>;

export const RecipientSuggestions = Type.Object({ items: Type.Array(Address) });
export type RecipientSuggestions = Static<typeof RecipientSuggestions>;
