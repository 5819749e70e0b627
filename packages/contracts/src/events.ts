import { Type, type Static } from 'typebox';
import { AccountStatus } from './accounts';
import { MessageListItem } from './messages';
import { OutboxItemOut } from './outbox';
import { ExportJobOut, ImportJobOut } from './portability';

export const SyncProgress = Type.Object({
  accountId: Type.String(),
  done: Type.Integer(),
  total: Type.Integer(),
  bytes: Type.Integer(),
});

export const AccountStatusEvent = Type.Object({
  accountId: Type.String(),
  status: AccountStatus,
  lastError: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  lastErrorCode: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const MessageUpdated = Type.Object({
  ids: Type.Array(Type.String()),
  seen: Type.Optional(Type.Boolean()),
  flagged: Type.Optional(Type.Boolean()),
  trashed: Type.Optional(Type.Boolean()),
  /** Deleted permanently: gone from every list. */
  deleted: Type.Optional(Type.Literal(true)),
});

/**
 * The user's sessions were ended by an admin (signed out, or the user disabled): every Popgate
 * process forgets them at once, and the user's open event streams end.
 */
export const SessionEnded = Type.Object({ reason: Type.String() });

/** A message went out: its copy now in Sent. */
export const MessageSent = Type.Object({ outboxId: Type.String(), message: MessageListItem });

/**
 * Every event Popgate records for a user and sends on GET /api/events, by type: the schema of
 * its payload. The one list of event types; publishing checks each payload against it.
 */
export const EventPayloads = {
  'message.new': MessageListItem,
  'message.updated': MessageUpdated,
  'sync.progress': SyncProgress,
  'account.status': AccountStatusEvent,
  'session.ended': SessionEnded,
  'message.sent': MessageSent,
  'outbox.status': OutboxItemOut,
  'import.progress': ImportJobOut,
  'export.progress': ExportJobOut,
} as const;
export type PopgateEventType = keyof typeof EventPayloads;
export type PayloadOf<T extends PopgateEventType> = Static<(typeof EventPayloads)[T]>;
/** Each event type's payload. */
export type EventPayloadMap = { [T in PopgateEventType]: PayloadOf<T> };

const serverEvent = <T extends PopgateEventType>(type: T) =>
  Type.Object({ id: Type.String(), type: Type.Literal(type), payload: EventPayloads[type] });

/** Every websocket message from GET /api/events that reports something: { id, type, payload }. */
export const ServerEvent = Type.Union([
  serverEvent('message.new'),
  serverEvent('message.updated'),
  serverEvent('sync.progress'),
  serverEvent('account.status'),
  serverEvent('session.ended'),
  serverEvent('message.sent'),
  serverEvent('outbox.status'),
  serverEvent('import.progress'),
  serverEvent('export.progress'),
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
