import { Type, type Static } from 'typebox';
import { MessageListItem } from './messages';

/** Every websocket message from GET /api/events: { id, type, payload }. */
export const EventTypes = [
  'message.new',
  'message.updated',
  'sync.progress',
  'account.status',
] as const;

export const SyncProgress = Type.Object({
  accountId: Type.String(),
  done: Type.Integer(),
  total: Type.Integer(),
  bytes: Type.Integer(),
});

export const AccountStatusEvent = Type.Object({
  accountId: Type.String(),
  status: Type.String(),
  lastError: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  lastErrorCode: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const MessageUpdated = Type.Object({
  ids: Type.Array(Type.String()),
  seen: Type.Optional(Type.Boolean()),
  flagged: Type.Optional(Type.Boolean()),
  trashed: Type.Optional(Type.Boolean()),
});

export const ServerEvent = Type.Union([
  Type.Object({ id: Type.String(), type: Type.Literal('message.new'), payload: MessageListItem }),
  Type.Object({
    id: Type.String(),
    type: Type.Literal('message.updated'),
    payload: MessageUpdated,
  }),
  Type.Object({ id: Type.String(), type: Type.Literal('sync.progress'), payload: SyncProgress }),
  Type.Object({
    id: Type.String(),
    type: Type.Literal('account.status'),
    payload: AccountStatusEvent,
  }),
]);
export type ServerEvent = Static<typeof ServerEvent>;
