import { Type, type Static } from 'typebox';

export const Address = Type.Object({ name: Type.String(), address: Type.String() });
export type Address = Static<typeof Address>;

/** One row of the message list (DESIGN.md "message list"); also the payload of message.new. */
export const MessageListItem = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  subject: Type.String(),
  from: Address,
  date: Type.String({ description: 'ISO 8601' }),
  snippet: Type.String(),
  size: Type.Integer(),
  seen: Type.Boolean(),
  flagged: Type.Boolean(),
  hasAttachments: Type.Boolean(),
});
export type MessageListItem = Static<typeof MessageListItem>;

export const MessageListQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String({ format: 'uuid' })),
    q: Type.Optional(Type.String({ maxLength: 500 })),
    unread: Type.Optional(Type.Boolean()),
    flagged: Type.Optional(Type.Boolean()),
    trash: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type MessageListQuery = Static<typeof MessageListQuery>;

export const MessageList = Type.Object({
  items: Type.Array(MessageListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type MessageList = Static<typeof MessageList>;

export const AttachmentOut = Type.Object({
  id: Type.String(),
  filename: Type.Union([Type.String(), Type.Null()]),
  contentType: Type.String(),
  size: Type.Integer(),
  contentId: Type.Union([Type.String(), Type.Null()]),
  inline: Type.Boolean(),
  url: Type.String(),
});
export type AttachmentOut = Static<typeof AttachmentOut>;

export const MessageDetail = Type.Evaluate(
  Type.Intersect([
    MessageListItem,
    Type.Object({
      to: Type.Array(Address),
      cc: Type.Array(Address),
      replyTo: Type.Array(Address),
      messageId: Type.Union([Type.String(), Type.Null()]),
      headers: Type.Array(Type.Tuple([Type.String(), Type.String()])),
      text: Type.Union([Type.String(), Type.Null()]),
      /** Sanitized on the server; remote images removed unless asked for (then proxied). */
      html: Type.Union([Type.String(), Type.Null()]),
      remoteImagesBlocked: Type.Boolean(),
      attachments: Type.Array(AttachmentOut),
      headersOnly: Type.Boolean(),
      parseError: Type.Union([Type.String(), Type.Null()]),
      trashed: Type.Boolean(),
      serverState: Type.String(),
    }),
  ]),
);
export type MessageDetail = Static<typeof MessageDetail>;

export const MessagePatch = Type.Partial(
  Type.Object({ seen: Type.Boolean(), flagged: Type.Boolean() }, { additionalProperties: false }),
);
export type MessagePatch = Static<typeof MessagePatch>;

/** PATCH /api/messages (many at once). */
export const MessageBulkPatch = Type.Object(
  {
    ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000 }),
    seen: Type.Optional(Type.Boolean()),
    flagged: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type MessageBulkPatch = Static<typeof MessageBulkPatch>;
