import type { ExportJobOut, ImportJobOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import { Prisma } from '../generated/prisma/client';

/**
 * Imports and prepared exports in PostgreSQL (portability_jobs), so that any process behind the
 * load balancer answers their progress and serves a prepared file: the process doing the work
 * writes its progress (at most once a second) and touches the row while it runs; a row left
 * running and untouched belongs to a process that stopped, and reads as failed.
 */

export type JobKind = 'import' | 'export';
type StateOf<K extends JobKind> = K extends 'import' ? ImportJobOut : ExportJobOut;

/** Progress is written at most this often. */
export const PROGRESS_EVERY_MS = 1000;
/** A running job is touched this often even when it makes no progress (a slow step)... */
export const HEARTBEAT_MS = 20_000;
/** ...so one untouched for this long was left by a process that stopped. */
export const STALE_MS = 120_000;
/** How long a finished job (and a prepared file) is kept. */
export const KEEP_MS = 24 * 3600_000;

/** What a user reads of a job that a stopped process left. */
export const INTERRUPTED: Record<JobKind, string> = {
  import: 'interrupted by a restart: import again; duplicates are skipped',
  export: 'interrupted by a restart: prepare the export again',
};

const asJson = (state: ImportJobOut | ExportJobOut) => state as unknown as Prisma.InputJsonValue;

/**
 * A job as the process doing it writes it: `update` keeps the latest progress and writes it at
 * most once a second (and touches the row while it runs), `finish` writes the outcome at once.
 */
export class JobWriter<K extends JobKind> {
  private written = 0;
  private pending: Promise<unknown> = Promise.resolve();
  private readonly heartbeat: NodeJS.Timeout;
  private done = false;

  private constructor(
    private readonly prisma: Db,
    readonly kind: K,
    public state: StateOf<K>,
    private readonly onError: (error: unknown) => void,
    private readonly running: Set<string>,
  ) {
    this.heartbeat = setInterval(() => this.write(), HEARTBEAT_MS).unref();
    running.add(state.id);
  }

  /** Records a new running job; `running` holds its id until it finishes. */
  static async start<K extends JobKind>(
    prisma: Db,
    kind: K,
    userId: string,
    state: StateOf<K>,
    options: { onError: (error: unknown) => void; running: Set<string> },
  ): Promise<JobWriter<K>> {
    await prisma.portabilityJob.create({
      data: { id: state.id, userId, kind, status: state.status, state: asJson(state) },
    });
    return new JobWriter(prisma, kind, state, options.onError, options.running);
  }

  /** True when this call wrote the change (at most once a second while running). */
  update(change: Partial<StateOf<K>>): boolean {
    this.state = { ...this.state, ...change };
    if (Date.now() - this.written < PROGRESS_EVERY_MS) return false;
    this.write();
    return true;
  }

  /** Writes the outcome (done or failed) and stops the heartbeat. */
  async finish(change: Partial<StateOf<K>>): Promise<StateOf<K>> {
    this.done = true;
    clearInterval(this.heartbeat);
    this.running.delete(this.state.id);
    this.state = { ...this.state, ...change };
    this.write();
    await this.pending;
    return this.state;
  }

  /** Writes the state now, after the previous write (writes never overtake each other). */
  private write(): void {
    if (this.done && this.state.status === 'running') return;
    this.written = Date.now();
    const state = this.state;
    this.pending = this.pending
      .then(() =>
        this.prisma.portabilityJob.updateMany({
          where: { id: state.id, status: 'running' },
          data: { status: state.status, state: asJson(state), updatedAt: new Date() },
        }),
      )
      .catch(this.onError);
  }
}

/**
 * One of the user's jobs as its GET answers it: 404 when it is not theirs; a running one left by
 * a stopped process is marked failed first.
 */
export async function readJob<K extends JobKind>(
  prisma: Db,
  kind: K,
  userId: string,
  id: string,
  noun: string,
): Promise<StateOf<K>> {
  const row = await prisma.portabilityJob.findFirst({
    where: { id, userId, kind },
    select: { status: true, state: true, updatedAt: true },
  });
  if (!row) throw notFound(`No such ${noun}`);
  const state = row.state as unknown as StateOf<K>;
  if (row.status === 'running' && row.updatedAt.getTime() < Date.now() - STALE_MS) {
    await failInterrupted(prisma);
    return { ...state, status: 'failed', error: INTERRUPTED[kind] };
  }
  return state;
}

/** Marks running jobs failed with what a user reads of a job a stopped process left. */
async function markInterrupted(prisma: Db, which: Prisma.Sql): Promise<number> {
  return prisma.$executeRaw`
    UPDATE portability_jobs
       SET status = 'failed', "updatedAt" = now() AT TIME ZONE 'UTC',
           state = state || jsonb_build_object('status', 'failed', 'error',
             CASE kind WHEN 'import' THEN ${INTERRUPTED.import}::text ELSE ${INTERRUPTED.export}::text END)
     WHERE status = 'running' AND ${which}`;
}

/** Marks every running job not touched for STALE_MS as failed (its process stopped). */
export const failInterrupted = (prisma: Db) =>
  markInterrupted(
    prisma,
    Prisma.sql`"updatedAt" < now() AT TIME ZONE 'UTC' - make_interval(secs => ${STALE_MS / 1000}::double precision)`,
  );

/** Marks these running jobs failed at once: their process is closing. */
export const failOwn = (prisma: Db, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve(0)
    : markInterrupted(prisma, Prisma.sql`id = ANY(${ids}::uuid[])`);

/** Finished jobs past KEEP_MS: removed, and answered (with their user) for their files to go. */
export function expireJobs(
  prisma: Db,
): Promise<Array<{ id: string; userId: string; kind: string }>> {
  return prisma.$queryRaw`
    DELETE FROM portability_jobs
     WHERE status <> 'running'
       AND "updatedAt" < now() AT TIME ZONE 'UTC' - make_interval(secs => ${KEEP_MS / 1000}::double precision)
    RETURNING id, "userId", kind`;
}
