import { Type, type Static } from 'typebox';
import { MessageListItem } from './messages';

/** Every websocket message from GET /api/events that reports something: { id, type, payload }. */
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

/** An event id: they only grow, so the last one seen is where to resume. */
export const EventId = Type.String({ pattern: '^[0-9]{1,18}$' });

/** GET /api/events?lastEventId=N: first every event after N, then live ones. */
export const EventsQuery = Type.Object(
  { lastEventId: Type.Optional(EventId) },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

/**
 * Sent once the missed events (if any) have been sent: from here on events arrive as they happen.
 * `lastEventId` is the newest event so far, to resume from after a dropped connection.
 */
export const StreamReady = Type.Object({
  type: Type.Literal('ready'),
  lastEventId: Type.Union([EventId, Type.Null()]),
});
export type StreamReady = Static<typeof StreamReady>;

/**
 * The client fell too far behind for the missed events to be replayed: it should reload what it
 * shows (accounts, message list). Events newer than `lastEventId` follow as usual.
 */
export const StreamResync = Type.Object({
  type: Type.Literal('resync'),
  lastEventId: Type.Union([EventId, Type.Null()]),
});
export type StreamResync = Static<typeof StreamResync>;

/** Everything the server sends on the events websocket. */
export const EventStreamMessage = Type.Union([ServerEvent, StreamReady, StreamResync]);
export type EventStreamMessage = Static<typeof EventStreamMessage>;

/** What a client may send: resume after the last event it has (instead of, or after, the query). */
export const StreamResume = Type.Object({ type: Type.Literal('resume'), lastEventId: EventId });
export type StreamResume = Static<typeof StreamResume>;

/** Close codes of the events websocket beyond the standard ones. */
export const EVENT_STREAM_CLOSE = {
  /** The session was signed out, revoked or expired, or the user was disabled: sign in again. */
  sessionEnded: 4401,
  /** The client sent more frames than a browser ever does (WebSocket's "policy violation"). */
  tooManyFrames: 1008,
} as const;
