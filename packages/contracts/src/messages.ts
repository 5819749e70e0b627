import { Type, type Static } from 'typebox';

export const Address = Type.Object({ name: Type.String(), address: Type.String() });
export type Address = Static<typeof Address>;

/** One row of the message list (DESIGN.md "message list"); also the payload of message.new. */
export const MessageListItem = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  subject: Type.String(),
  from: Address,
  /** The first recipients (To), for lists where the sender is the user (Sent). */
  to: Type.Optional(Type.Array(Address, { maxItems: 10 })),
  date: Type.String({ description: 'ISO 8601: the Date header (shown)' }),
  receivedAt: Type.Optional(
    Type.String({ description: 'ISO 8601: when Popgate received it (the list is in this order)' }),
  ),
  snippet: Type.String(),
  size: Type.Integer(),
  seen: Type.Boolean(),
  flagged: Type.Boolean(),
  hasAttachments: Type.Boolean(),
  /** The conversation it belongs to (GET /api/conversations/:id); null until threaded. */
  conversationId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type MessageListItem = Static<typeof MessageListItem>;

/**
 * The orders the message list offers: arrival in Popgate (the default, newest first), the Date
 * header (newest first), the sender (A to Z, by name or else address, case folded),
 * the size (largest first). Ties go to the message id, so pages never repeat or skip a row.
 */
export const MessageSort = Type.Union(
  [Type.Literal('arrival'), Type.Literal('date'), Type.Literal('sender'), Type.Literal('size')],
  {
    description:
      'arrival (default; a search without sort comes best match first): newest arrival first; date: newest Date header first; sender: by sender name (else address) A to Z; size: largest first',
  },
);
export type MessageSort = Static<typeof MessageSort>;
/** The same orders as a list, for menus and for reading ?sort= from an address. */
export const MESSAGE_SORTS: readonly MessageSort[] = MessageSort.anyOf.map((sort) => sort.const);

export const MessageListQuery = Type.Object(
  {
    accountId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only this account (default: all of them)' }),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 500,
        description:
          'Search with Gmail\'s operators: words, "exact phrases", -excluded, OR, parentheses, from:, to:, cc:, subject:, has:attachment, filename:, is:unread|read|starred, in:inbox|sent|trash|anywhere (replaces folder), account:, label: (a label imported with the mail, "quoted" with spaces; Work finds Work/…), before:/after: (YYYY/MM/DD), older_than:/newer_than: (7d, 2m, 1y), larger:/smaller: (10M, 500K). Accents and case are ignored, the last word is matched as a prefix. Results come best match first (subject or sender hits, the words as a phrase), then newest. A query that cannot be read answers 400 INVALID_QUERY with error.position.',
      }),
    ),
    unread: Type.Optional(
      Type.Boolean({ description: 'true: only unread messages; false: only read ones' }),
    ),
    flagged: Type.Optional(
      Type.Boolean({ description: 'true: only flagged messages; false: only unflagged ones' }),
    ),
    trash: Type.Optional(
      Type.Boolean({ description: 'true: the trash; false (default): everything else' }),
    ),
    folder: Type.Optional(
      Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('trash')], {
        description:
          'inbox (default): received mail; sent: what was sent from Popgate; trash (the same as trash=true). Drafts are at /api/drafts.',
      }),
    ),
    sort: Type.Optional(MessageSort),
    cursor: Type.Optional(
      Type.String({ maxLength: 2000, description: 'nextCursor of the previous page' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type MessageListQuery = Static<typeof MessageListQuery>;

/** Where the searched words are in a search result's snippet: UTF-16 offsets, end exclusive. */
export const SnippetHighlights = Type.Array(
  Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) }),
  { maxItems: 50 },
);

export const MessageList = Type.Object({
  items: Type.Array(
    Type.Evaluate(
      Type.Intersect([
        MessageListItem,
        Type.Object({
          /** A search's results: the snippet is centred on the first hit, and these mark the words. */
          highlights: Type.Optional(SnippetHighlights),
          /** A search's results: where the searched words are in the subject. */
          subjectHighlights: Type.Optional(SnippetHighlights),
          /**
           * …and in the sender as the list shows it (the name, else the address), from:'s values
           * too (the whole name when they are in the address behind it).
           */
          fromHighlights: Type.Optional(SnippetHighlights),
          /** A to: search's results: the recipients of `to` it found (index) and where, the same way. */
          toHighlights: Type.Optional(
            Type.Array(
              Type.Object({ index: Type.Integer({ minimum: 0 }), ranges: SnippetHighlights }),
              { maxItems: 10 },
            ),
          ),
        }),
      ]),
    ),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type MessageList = Static<typeof MessageList>;
/** A row of the list as the server sends it: with a search's marks. */
export type MessageListRow = MessageList['items'][number];

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

/**
 * Why a message's HTML is not shown (its text part is): TOO_LARGE above the size Popgate renders
 * inline, TOO_COMPLEX when making it safe took too long or it nests too deeply, UNAVAILABLE when
 * it could not be made safe right now (try again later). The original stays downloadable.
 */
export const HtmlWithheld = Type.Object({
  reason: Type.Union([
    Type.Literal('TOO_LARGE'),
    Type.Literal('TOO_COMPLEX'),
    Type.Literal('UNAVAILABLE'),
  ]),
  message: Type.String(),
});
export type HtmlWithheld = Static<typeof HtmlWithheld>;

/**
 * Why only part of a message is kept (its headers, or what arrived before a limit cut it off):
 * account_limit above the size the account's owner chose for full downloads (it can be
 * downloaded on request), admin_limit above the admin's largest message, line_too_long a line
 * longer than Popgate reads (neither can be downloaded here).
 */
export const PartialReason = Type.Union([
  Type.Literal('account_limit'),
  Type.Literal('admin_limit'),
  Type.Literal('line_too_long'),
]);
export type PartialReason = Static<typeof PartialReason>;

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
      /** Set when the message has HTML that is not shown (html is null), and why. */
      htmlWithheld: Type.Optional(Type.Union([HtmlWithheld, Type.Null()])),
      remoteImagesBlocked: Type.Boolean(),
      attachments: Type.Array(AttachmentOut),
      headersOnly: Type.Boolean(),
      /** Why only part of the message is kept; null when it is whole. */
      partialReason: Type.Union([PartialReason, Type.Null()]),
      parseError: Type.Union([Type.String(), Type.Null()]),
      trashed: Type.Boolean(),
      serverState: Type.String(),
      /** The reader chose to always show remote images from this sender. */
      senderTrusted: Type.Boolean(),
      /** The labels it came with (Gmail's, on import): found with label:. */
      labels: Type.Array(Type.String()),
      /** Opened with ?q=: the searched words to mark in the text and HTML (folded, as findMatches takes them). */
      searchTerms: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 40 })),
    }),
  ]),
);
export type MessageDetail = Static<typeof MessageDetail>;

export const MessagePatch = Type.Object(
  { seen: Type.Optional(Type.Boolean()), flagged: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
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

/** A yes/no query parameter: `1`/`true` or `0`/`false`. */
const queryFlag = (description: string) =>
  Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')], {
    description,
  });
export type QueryFlag = '1' | 'true' | '0' | 'false';

export const MessageIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type MessageIdParams = Static<typeof MessageIdParams>;

export const AttachmentParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  attachmentId: Type.String({ format: 'uuid' }),
});
export type AttachmentParams = Static<typeof AttachmentParams>;

/** GET /api/messages/:id */
export const MessageDetailQuery = Type.Object(
  {
    images: Type.Optional(
      queryFlag(
        "Show remote images this time (through Popgate's image proxy); a trusted sender's are always shown",
      ),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 500,
        description:
          'The search the message was opened from: searchTerms answers the words to mark',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MessageDetailQuery = Static<typeof MessageDetailQuery>;

/** GET /api/messages/:id/attachments/:attachmentId */
export const AttachmentQuery = Type.Object(
  {
    inline: Type.Optional(
      queryFlag('Show in the browser instead of downloading: png, jpeg, gif, webp and PDF only'),
    ),
  },
  { additionalProperties: false },
);
export type AttachmentQuery = Static<typeof AttachmentQuery>;

/** GET /api/messages/:id/images: the URLs come ready-made in the message's sanitized HTML. */
export const ImageProxyQuery = Type.Object(
  {
    url: Type.String({ maxLength: 8192, description: 'The remote image, as the message names it' }),
    sig: Type.String({ maxLength: 100, description: 'Proof that the URL is in this message' }),
  },
  { additionalProperties: false },
);
export type ImageProxyQuery = Static<typeof ImageProxyQuery>;

/** POST /api/messages/trash and /api/messages/restore. */
export const MessageIds = Type.Object(
  { ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type MessageIds = Static<typeof MessageIds>;

/** What PATCH /api/messages changed: the caller's messages among the ids asked for. */
export const MessagesUpdated = Type.Object({
  ids: Type.Array(Type.String()),
  seen: Type.Optional(Type.Boolean()),
  flagged: Type.Optional(Type.Boolean()),
});
export type MessagesUpdated = Static<typeof MessagesUpdated>;

/** What moving to or from the trash did, and what it means for the copies on the POP3 servers. */
export const TrashOutcome = Type.Object({
  ids: Type.Array(Type.String(), { description: "The caller's messages among the ids asked for" }),
  trashed: Type.Boolean(),
  deleteFromServer: Type.Array(Type.String(), {
    description:
      'Trashed messages whose account deletes from the server what is deleted here: the next check removes the server copy (Popgate keeps its own)',
  }),
  serverCopyGone: Type.Array(Type.String(), {
    description:
      'Messages whose server copy is already deleted (or being deleted): restoring brings them back here only',
  }),
});
export type TrashOutcome = Static<typeof TrashOutcome>;

/** POST and DELETE /api/messages/:id/trust-sender. */
export const TrustedSenderOut = Type.Object({
  address: Type.String(),
  trusted: Type.Boolean(),
});
export type TrustedSenderOut = Static<typeof TrustedSenderOut>;
