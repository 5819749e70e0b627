import { EventEmitter } from 'node:events';
import pg from 'pg';
import { poolOf, type Db } from '../db/prisma';
import { utcTimestamps } from '../db/utc-timestamps';

/** One event for one user, numbered for resume (ids only grow). */
export interface PopgateEvent {
  id: string;
  userId: string;
  type: string;
  payload: unknown;
  createdAt: string;
}

export type EventHandler = (event: PopgateEvent) => void;

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

const toEvent = (row: EventRow): PopgateEvent => ({
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
 */
export class EventBus {
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
  static async start(prisma: Db, listenUrl?: string): Promise<EventBus> {
    const bus = new EventBus(prisma, listenUrl !== undefined);
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
    const data = JSON.parse(payload) as { id: string } & Partial<PopgateEvent>;
    if (data.type !== undefined) {
      this.emitter.emit('event', data as PopgateEvent);
      return;
    }
    const row = await this.prisma.event.findUnique({ where: { id: BigInt(data.id) } });
    if (row) this.emitter.emit('event', toEvent(row as EventRow));
  }

  async publish(userId: string, type: string, payload: unknown): Promise<PopgateEvent> {
    const [event] = await this.publishMany(userId, type, [payload]);
    return event!;
  }

  /**
   * Several events of one type for one user, in order, in one statement (a sync announces its new
   * messages this way). Through node-postgres directly: Prisma's work per row, for a batch of a
   * hundred list items, cost more than the insert.
   */
  async publishMany(userId: string, type: string, payloads: unknown[]): Promise<PopgateEvent[]> {
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
    const events = rows.map((row, index): PopgateEvent => ({
      id: row.id,
      userId,
      type,
      payload: payloads[index],
      createdAt: row.createdAt.toISOString(),
    }));
    if (!this.crossProcess) for (const event of events) this.emitter.emit('event', event);
    return events;
  }

  /** Every event of every user, as it happens, once per process. */
  subscribe(handler: EventHandler): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }

  /** What a user missed after `afterId`, oldest first. */
  async since(userId: string, afterId: string, limit = 1000): Promise<PopgateEvent[]> {
    const rows = await this.prisma.event.findMany({
      where: { userId, id: { gt: BigInt(afterId) } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return (rows as EventRow[]).map(toEvent);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    await this.listener?.end().catch(() => {});
  }
}
