import { Type, type Static } from 'typebox';
import { Address, AttachmentOut, HtmlWithheld } from './messages';

/** POST /api/messages/:id/unsubscribe: the sender's server took the one-click unsubscribe. */
export const UnsubscribeDone = Type.Object({
  host: Type.String({ description: 'The server the unsubscribe was sent to' }),
  status: Type.Integer({ description: 'Its HTTP status (2xx)' }),
});
export type UnsubscribeDone = Static<typeof UnsubscribeDone>;

/**
 * GET /api/messages/:id/attachments/:attachmentId/message: a message/rfc822 attachment (a
 * forwarded message) read as a message. Its own attachments are served by index under
 * …/attachments/:attachmentId/parts/:index; the attachment's own URL downloads the .eml.
 */
export const EmbeddedMessage = Type.Object({
  subject: Type.String(),
  from: Address,
  to: Type.Array(Address),
  cc: Type.Array(Address),
  date: Type.Union([Type.String({ description: 'ISO 8601' }), Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
  /** Sanitized on the server, remote images removed; null when there is none or it is withheld. */
  html: Type.Union([Type.String(), Type.Null()]),
  htmlWithheld: Type.Union([HtmlWithheld, Type.Null()]),
  remoteImagesBlocked: Type.Boolean(),
  attachments: Type.Array(AttachmentOut),
  parseError: Type.Union([Type.String(), Type.Null()]),
});
export type EmbeddedMessage = Static<typeof EmbeddedMessage>;

export const EmbeddedPartParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  attachmentId: Type.String({ format: 'uuid' }),
  index: Type.Integer({ minimum: 0, maximum: 10_000 }),
});
export type EmbeddedPartParams = Static<typeof EmbeddedPartParams>;
