import { EventEmitter } from 'node:events';
import type { EventPayloadMap } from '@popgate/contracts';
import pg from 'pg';
import { poolOf, type Db } from '../db/prisma';
import { utcTimestamps } from '../db/utc-timestamps';

/** One event for one user, numbered for resume (ids only grow), among `Events` (type: payload). */
export type BusEvent<Events = EventPayloadMap> = {
  [T in keyof Events & string]: {
    id: string;
    userId: string;
    type: T;
    payload: Events[T];
    createdAt: string;
  };
}[keyof Events & string];

/** An event of Popgate's own (the contracts' EventPayloads): what its event bus carries. */
export type PopgateEvent = BusEvent<EventPayloadMap>;

/** Any event, for what carries events without reading their payloads (the event stream). */
export type AnyEvent = BusEvent<Record<string, unknown>>;

export type EventHandler<Events = EventPayloadMap> = (event: BusEvent<Events>) => void;

const CHANNEL = 'popgate_events';
/** NOTIFY payloads are capped at 8000 bytes; larger events travel as an id to look up. */
const INLINE_LIMIT = 7000;

interface EventRow {
  id: bigint;
  userId: string;
  type: string;
  payload: unknown;
  createdAt: Date;
}

const toEvent = (row: EventRow): AnyEvent => ({
  id: row.id.toString(),
  userId: row.userId,
  type: row.type,
  payload: row.payload,
  createdAt: row.createdAt.toISOString(),
});

/** Records events ($3: their payloads as JSON, in order). */
const INSERT = `
  INSERT INTO events ("userId", type, payload)
  SELECT $1::uuid, $2, payload FROM unnest($3::jsonb[]) WITH ORDINALITY AS p(payload, n)
  ORDER BY n
  RETURNING id::text, "createdAt"`;

/**
 * Records and announces them in one statement, so an event costs one round trip. NOTIFY carries
 * the whole event, or only its id when larger than $5 bytes (NOTIFY's limit is 8000).
 */
const INSERT_AND_NOTIFY = `
  WITH inserted AS (${INSERT}, payload),
  announced AS (
    SELECT id, "createdAt", json_build_object(
             'id', id, 'userId', $1::text, 'type', $2::text, 'payload', payload,
             'createdAt', to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text AS message
      FROM inserted)
  SELECT id, "createdAt",
         pg_notify($4, CASE WHEN octet_length(message) <= $5::int THEN message
                            ELSE json_build_object('id', id)::text END)
    FROM announced
   ORDER BY id::bigint`;

/** Event ids are bigints in decimal: shorter is smaller. */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Events are recorded in the events table (so a client can resume from the last id it saw) and
 * fanned out to every subscriber of every Popgate process: through PostgreSQL LISTEN/NOTIFY on a
 * real server, in-process on the embedded database (where NOTIFY reaches only its sender).
 * `Events` names each event type's payload: by default Popgate's own, as the contracts declare
 * them, so that no event goes out with a payload its clients do not expect.
 */
export class EventBus<Events = EventPayloadMap> {
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | undefined;
  private closed = false;

  private constructor(
    private readonly prisma: Db,
    private readonly crossProcess: boolean,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** `listenUrl`: the database to LISTEN on; omit it on the embedded database. */
  static async start<Events = EventPayloadMap>(
    prisma: Db,
    listenUrl?: string,
  ): Promise<EventBus<Events>> {
    const bus = new EventBus<Events>(prisma, listenUrl !== undefined);
    // A database that is down now may be up later: keep trying instead of failing the start.
    if (listenUrl) await bus.listen(listenUrl).catch(() => bus.retryListen(listenUrl));
    return bus;
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) void this.onNotification(message.payload);
    });
    client.on('error', () => {
      // The connection dropped: reconnect; clients resume by id, so nothing is lost for them.
      this.listener = undefined;
      this.retryListen(url);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private retryListen(url: string): void {
    if (this.closed) return;
    setTimeout(() => void this.listen(url).catch(() => this.retryListen(url)), 1000).unref();
  }

  private async onNotification(payload: string): Promise<void> {
    const data = JSON.parse(payload) as { id: string } & Partial<AnyEvent>;
    if (data.type !== undefined) {
      this.emitter.emit('event', data);
      return;
    }
    const row = await this.prisma.event.findUnique({ where: { id: BigInt(data.id) } });
    if (row) this.emitter.emit('event', toEvent(row as EventRow));
  }

  async publish<T extends keyof Events & string>(
    userId: string,
    type: T,
    payload: Events[T],
  ): Promise<BusEvent<Events>> {
    const [event] = await this.publishMany(userId, type, [payload]);
    return event!;
  }

  /**
   * Several events of one type for one user, in order, in one statement (a sync announces its new
   * messages this way). Through node-postgres directly: Prisma's work per row, for a batch of a
   * hundred list items, cost more than the insert.
   */
  async publishMany<T extends keyof Events & string>(
    userId: string,
    type: T,
    payloads: Array<Events[T]>,
  ): Promise<Array<BusEvent<Events>>> {
    if (payloads.length === 0) return [];
    const { rows } = await poolOf(this.prisma).query<{ id: string; createdAt: Date }>({
      text: this.crossProcess ? INSERT_AND_NOTIFY : INSERT,
      values: [
        userId,
        type,
        payloads.map((payload) => JSON.stringify(payload)),
        ...(this.crossProcess ? [CHANNEL, INLINE_LIMIT] : []),
      ],
      types: utcTimestamps,
    });
    // Ids follow the order of the payloads (the sequence is drawn row by row in that order).
    rows.sort((a, b) => compareIds(a.id, b.id));
    const events = rows.map(
      (row, index) =>
        ({
          id: row.id,
          userId,
          type,
          payload: payloads[index],
          createdAt: row.createdAt.toISOString(),
        }) as BusEvent<Events>,
    );
    if (!this.crossProcess) for (const event of events) this.emitter.emit('event', event);
    return events;
  }

  /** Every event of every user, as it happens, once per process. */
  subscribe(handler: EventHandler<Events>): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }

  /** What a user missed after `afterId`, oldest first. */
  async since(userId: string, afterId: string, limit = 1000): Promise<Array<BusEvent<Events>>> {
    const rows = await this.prisma.event.findMany({
      where: { userId, id: { gt: BigInt(afterId) } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    // What was recorded went through publish, so it has the payload of its type.
    return (rows as EventRow[]).map(toEvent) as Array<BusEvent<Events>>;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    await this.listener?.end().catch(() => {});
  }
}
