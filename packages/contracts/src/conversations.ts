import { Type, type Static } from 'typebox';
import { Address, MessageListItem, MessageSort } from './messages';

/** GET /api/conversations */
export const ConversationListQuery = Type.Object(
  {
    folder: Type.Optional(
      Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('trash')], {
        description:
          'inbox (default): conversations with received mail outside the trash; sent: with mail sent from Popgate; trash: with trashed mail',
      }),
    ),
    accountId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Only conversations with mail of this account (default: all of them)',
      }),
    ),
    unread: Type.Optional(
      Type.Boolean({ description: 'true: only conversations with unread mail' }),
    ),
    flagged: Type.Optional(
      Type.Boolean({ description: 'true: only conversations with a flagged message' }),
    ),
    sort: Type.Optional(
      Type.Union(MessageSort.anyOf, {
        description:
          'The message list’s orders, each by the conversation’s: arrival (default): latest arrival first; date: latest Date header first; sender: by the sender of its latest message A to Z; size: largest first, its messages together',
      }),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 2000, description: 'nextCursor of the previous page' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);
export type ConversationListQuery = Static<typeof ConversationListQuery>;

/** One row of the conversation list: a thread of received and sent mail. */
export const ConversationListItem = Type.Object({
  id: Type.String(),
  subject: Type.String({ description: 'The subject of the message that started it' }),
  participants: Type.Array(Address, {
    maxItems: 4,
    description: 'A few of its senders, in the order they first wrote',
  }),
  messageCount: Type.Integer({ description: 'Its messages in this folder' }),
  unreadCount: Type.Integer(),
  latestAt: Type.String({
    description: 'ISO 8601: when its latest message arrived (the default order)',
  }),
  latestMessageId: Type.String(),
  snippet: Type.String({ description: 'The start of its latest message' }),
  hasAttachments: Type.Boolean(),
  flagged: Type.Boolean({ description: 'One of its messages is flagged' }),
  accountIds: Type.Array(Type.String(), { maxItems: 20 }),
});
export type ConversationListItem = Static<typeof ConversationListItem>;

export const ConversationList = Type.Object({
  items: Type.Array(ConversationListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type ConversationList = Static<typeof ConversationList>;

/** `:id` is checked by the domain: a malformed id is a 404 like any id that is not yours. */
export const ConversationIdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
export type ConversationIdParams = Static<typeof ConversationIdParams>;

/** GET /api/conversations/:id */
export const ConversationQuery = Type.Object(
  {
    folder: Type.Optional(
      Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('trash')], {
        description: 'trash: its trashed messages; otherwise (default) those outside the trash',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ConversationQuery = Static<typeof ConversationQuery>;

/** A message of a conversation: the list's fields and its parent for an indented view. */
export const ConversationMessage = Type.Evaluate(
  Type.Intersect([
    MessageListItem,
    Type.Object({
      parentId: Type.Union([Type.String(), Type.Null()], {
        description: 'The message of this conversation it answers, when it is here',
      }),
    }),
  ]),
);
export type ConversationMessage = Static<typeof ConversationMessage>;

export const ConversationDetail = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  messages: Type.Array(ConversationMessage, {
    description: 'Oldest first (by Date header); at most the latest 500',
  }),
  omitted: Type.Integer({ description: 'Earlier messages left out beyond the 500' }),
});
export type ConversationDetail = Static<typeof ConversationDetail>;
