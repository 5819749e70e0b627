import type { Address, MessageListItem } from '@popgate/contracts';
import {
  columnsOf,
  utc,
  type Cast,
  type InsertColumn,
  type Param,
  type ParamsOf,
} from '../db/insert-rows';
import { asBytes } from '../db/bytes';
import { uuidV7 } from '../db/uuid-v7';
import type { Attachment, Message, MessageSource } from '../generated/prisma/client';
import type { ParsedMessage } from '../mail/parse-message';
import type { DownloadedMessage } from './store';

/**
 * The column map of `messages`: every column of the schema's Message (the compiler holds this
 * list to it), its cast when sent as a parameter, and when the store writes it. Field names are
 * the column names. `created`: with the new row only; `downloaded`: with the new row and again
 * when the whole of a headers-only message arrives. The others keep their defaults until the
 * reader (seen, flagged, trashedAt) or the sync (serverState) changes them.
 *
 * What is derived from it: the INSERT of a new message and its typed row (NewMessageRow), the
 * UPDATE that completes one (DownloadedColumns), and, with `listFields` below, the list's SELECT,
 * the RETURNING of the INSERT, the Prisma select of a list row and toListItem.
 */
export const messageColumns = {
  id: { cast: 'uuid', written: 'created' },
  accountId: { cast: 'uuid', written: 'created' },
  userId: { cast: 'uuid', written: 'created' },
  uidl: { written: 'created' },
  size: { cast: 'integer', written: 'created' },
  receivedAt: { cast: 'timestamp', written: 'created' },
  origin: { written: 'created' },
  conversationId: { cast: 'uuid', written: 'created' },
  headersOnly: { cast: 'boolean', written: 'downloaded' },
  partialReason: { written: 'downloaded' },
  sourceSha256: { written: 'downloaded' },
  subject: { written: 'downloaded' },
  fromName: { written: 'downloaded' },
  fromAddress: { written: 'downloaded' },
  to: { cast: 'jsonb', written: 'downloaded' },
  cc: { cast: 'jsonb', written: 'downloaded' },
  replyTo: { cast: 'jsonb', written: 'downloaded' },
  messageId: { written: 'downloaded' },
  inReplyTo: { written: 'downloaded' },
  date: { cast: 'timestamp', written: 'downloaded' },
  snippet: { written: 'downloaded' },
  textBody: { written: 'downloaded' },
  htmlBody: { written: 'downloaded' },
  headers: { cast: 'jsonb', written: 'downloaded' },
  hasAttachments: { cast: 'boolean', written: 'downloaded' },
  parseError: { written: 'downloaded' },
  seen: { cast: 'boolean' },
  flagged: { cast: 'boolean' },
  trashedAt: { cast: 'timestamp' },
  serverState: {},
} as const satisfies { [K in keyof Message]: ColumnSpec };

type Written = 'created' | 'downloaded';

interface ColumnSpec {
  cast?: Cast;
  written?: Written;
}

type Columns = typeof messageColumns;
type ColumnName = keyof Columns;
type WrittenWhen<When> = {
  [K in ColumnName]: Columns[K] extends { written: When } ? K : never;
}[ColumnName];
type Params<Names extends ColumnName> = {
  [K in Names]: Param<Message[K], Columns[K] extends { cast: infer C } ? C : null>;
};

/** What a download writes: the columns of a new row, then again when a message is completed. */
export type DownloadedColumns = Params<WrittenWhen<'downloaded'>>;
/** A new messages row, as the INSERT takes it. */
export type NewMessageRow = Params<WrittenWhen<'created' | 'downloaded'>>;

/** The columns written `when`, in the map's order. */
const written = <When extends Written>(...when: When[]) =>
  (Object.entries(messageColumns) as Array<[WrittenWhen<When>, ColumnSpec]>)
    .filter(([, spec]) => spec.written !== undefined && (when as Written[]).includes(spec.written))
    .map(([name, spec]): InsertColumn<WrittenWhen<When>> => ({ name, type: spec.cast }));

/** The INSERT's columns. */
export const NEW_MESSAGE_COLUMNS = written('created', 'downloaded');
/** What completing a headers-only message sets. */
export const DOWNLOADED_COLUMNS = written('downloaded');

const sourceCasts = {
  sha256: null,
  size: 'integer',
  bytes: 'bytea',
  createdAt: 'timestamp',
} as const satisfies Record<keyof MessageSource, Cast | null>;
/** The raw bytes of a message, content-addressed: every column is written. */
export const SOURCE_COLUMNS = columnsOf(sourceCasts);
export type SourceRow = ParamsOf<MessageSource, typeof sourceCasts>;

const attachmentCasts = {
  id: 'uuid',
  messageId: 'uuid',
  filename: null,
  contentType: null,
  size: 'integer',
  contentId: null,
  inline: 'boolean',
  sha256: null,
  content: 'bytea',
} as const satisfies Record<keyof Attachment, Cast | null>;
/** An attachment, as the parser read it: every column is written. */
export const ATTACHMENT_COLUMNS = columnsOf(attachmentCasts);
export type AttachmentRow = ParamsOf<Attachment, typeof attachmentCasts>;

/** PostgreSQL text and jsonb cannot hold NUL characters; mail sometimes does. The raw bytes keep them. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must go
const NUL = /\u0000/g;
const clean = (text: string) => text.replace(NUL, '');
const cleanOrNull = (text: string | null) => (text === null ? null : clean(text));
function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return clean(value) as T;
  if (Array.isArray(value)) return value.map(cleanDeep) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanDeep(v)])) as T;
  }
  return value;
}

/**
 * The columns a download fills in from what the parser read. The Date header, or `dateFallback`
 * when it has none; the snippet, or for a message kept in part what it says about itself.
 */
export function downloadedColumns(
  message: Pick<DownloadedMessage, 'headersOnly' | 'partial'>,
  parsedRaw: ParsedMessage,
  sourceSha256: string,
  dateFallback: Date,
): DownloadedColumns {
  const parsed = cleanDeep({ ...parsedRaw, attachments: [] });
  return {
    headersOnly: message.headersOnly,
    partialReason: message.partial?.reason ?? null,
    sourceSha256,
    subject: parsed.subject,
    fromName: parsed.from.name,
    fromAddress: parsed.from.address,
    to: JSON.stringify(parsed.to),
    cc: JSON.stringify(parsed.cc),
    replyTo: JSON.stringify(parsed.replyTo),
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    date: utc(parsedRaw.date ?? dateFallback),
    snippet: message.partial ? message.partial.notice : parsed.snippet,
    textBody: parsed.text,
    htmlBody: parsed.html,
    headers: JSON.stringify(parsed.headers),
    hasAttachments: parsedRaw.attachments.some((a) => !a.inline),
    parseError: parsed.parseError,
  };
}

export function newMessageRow(
  message: DownloadedMessage,
  parsed: ParsedMessage,
  sourceSha256: string,
  conversationId: string | null,
): NewMessageRow {
  return {
    id: uuidV7(),
    accountId: message.accountId,
    userId: message.userId,
    uidl: message.uidl,
    size: message.listedSize,
    receivedAt: utc(message.receivedAt),
    origin: message.origin ?? 'pop3',
    conversationId,
    ...downloadedColumns(message, parsed, sourceSha256, message.receivedAt),
  };
}

export function sourceRow(sha256: string, raw: Buffer, createdAt: string): SourceRow {
  return { sha256, size: raw.length, bytes: asBytes(raw), createdAt };
}

export const attachmentRows = (messageId: string, parsed: ParsedMessage): AttachmentRow[] =>
  parsed.attachments.map((a) => ({
    id: uuidV7(),
    messageId,
    filename: cleanOrNull(a.filename),
    contentType: clean(a.contentType),
    size: a.size,
    contentId: cleanOrNull(a.contentId),
    inline: a.inline,
    sha256: a.sha256,
    content: asBytes(a.content),
  }));

/**
 * The list: each field of a list item (MessageListItem in the contracts; the compiler holds
 * this map to it), the columns it is read from and how. The list's SELECT, the store's
 * RETURNING, the Prisma select of a list row and toListItem all come from here, so a field added
 * to the list is one entry here (with its column above, the schema and the contract).
 */
const MAX_LIST_RECIPIENTS = 10;

const listFields = {
  id: column('id'),
  accountId: column('accountId'),
  subject: column('subject'),
  from: field(['fromName', 'fromAddress'], (row) => ({
    name: row.fromName,
    address: row.fromAddress,
  })),
  // Mailing-list mail may name hundreds: the list shows a few.
  to: field(['to'], (row) => (row.to as Address[]).slice(0, MAX_LIST_RECIPIENTS)),
  date: field(['date'], (row) => row.date.toISOString()),
  // The list's order: when Popgate received it.
  receivedAt: field(['receivedAt'], (row) => row.receivedAt.toISOString()),
  snippet: column('snippet'),
  size: column('size'),
  seen: column('seen'),
  flagged: column('flagged'),
  hasAttachments: column('hasAttachments'),
  conversationId: column('conversationId'),
} satisfies { [K in keyof MessageListItem]-?: ListField<ColumnName, MessageListItem[K]> };

interface ListField<C extends ColumnName, Value> {
  columns: readonly C[];
  toApi(row: Pick<Message, C>): Value;
  /** Set when the field is this column as it is read. */
  same?: C;
}

function field<C extends ColumnName, Value>(
  columns: readonly C[],
  toApi: (row: Pick<Message, C>) => Value,
): ListField<C, Value> {
  return { columns, toApi };
}

function column<C extends ColumnName>(name: C): ListField<C, Message[C]> {
  return { columns: [name], toApi: (row) => row[name], same: name };
}

type ListFields = typeof listFields;
type ListColumn = { [K in keyof ListFields]: ListFields[K]['columns'][number] }[keyof ListFields];

/** The columns a list row is made of: never the bodies. */
export type ListColumns = Pick<Message, ListColumn>;

const LIST_COLUMNS: readonly ListColumn[] = [
  ...new Set(Object.values(listFields).flatMap((f): readonly ListColumn[] => f.columns)),
];

/** A list row's columns for a SELECT or RETURNING, qualified by `alias` when given. */
export const listColumnsSql = (alias?: string) =>
  LIST_COLUMNS.map((name) => (alias ? `${alias}."${name}"` : `"${name}"`)).join(', ');

/** A list row's columns as a Prisma select. */
export const listSelect = Object.fromEntries(LIST_COLUMNS.map((name) => [name, true])) as {
  [C in ListColumn]: true;
};

/**
 * One row of the message list, as the list, a message's details and message.new events show it.
 * Made once at load as one object literal of the fields, in order (columns read as they are,
 * conversions called), the way fast-json-stringify builds its serializers: a loop setting fields
 * by name took half as long again per row, and a page has up to 200 rows.
 */
export const toListItem = (() => {
  const fields = Object.entries(listFields) as Array<[string, ListField<ListColumn, unknown>]>;
  const convert = fields.map(([, listField]) => listField.toApi);
  const body = fields
    .map(([name, listField], index) =>
      listField.same
        ? `${JSON.stringify(name)}: row[${JSON.stringify(listField.same)}]`
        : `${JSON.stringify(name)}: convert[${index}](row)`,
    )
    .join(', ');
  return new Function('convert', `return (row) => ({ ${body} })`)(convert) as (
    row: ListColumns,
  ) => MessageListItem;
})();
