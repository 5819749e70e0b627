import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExportJobOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import { exportedCount, exportedMessages, type ExportSelection } from './export-selection';
import { exportStream, type ExportFormat } from './export-stream';
import { JobWriter, readJob } from './portability-jobs';

/**
 * Exports written to a file first, for a download that can be resumed with HTTP Range and a
 * progress to show while it is written. The job is in PostgreSQL and the file in the data
 * folder (`<dir>/<user id>/<job id>.export`), so every process on the host serves it; kept a day
 * (housekeeping removes it then).
 */
export class PreparedExports {
  private static readonly byDir = new Map<string, PreparedExports>();

  /** The prepared exports kept in `dir`. */
  static in(dir: string): PreparedExports {
    let found = PreparedExports.byDir.get(dir);
    if (!found) PreparedExports.byDir.set(dir, (found = new PreparedExports(dir)));
    return found;
  }

  /** Every folder this process keeps prepared exports in. */
  static all(): PreparedExports[] {
    return [...PreparedExports.byDir.values()];
  }

  private constructor(private readonly dir: string) {}

  /** A user who leaves takes their prepared files with them (their rows go with the user). */
  forgetUser(userId: string): void {
    fs.rm(this.userDir(userId), { recursive: true, force: true }, () => {});
  }

  /** Removes the file of an export that expired. */
  forget(userId: string, id: string): Promise<void> {
    return fs.promises.rm(this.file(userId, id), { force: true });
  }

  /**
   * Checks the selection, then writes the file in the background; `onProgress` hears of the
   * progress as it is written (at most once a second) and of the outcome.
   */
  async start(
    prisma: Db,
    selection: ExportSelection,
    format: ExportFormat,
    options: {
      running: Set<string>;
      onError: (error: unknown) => void;
      onProgress?: (job: ExportJobOut) => void;
    },
  ): Promise<ExportJobOut> {
    const messages = await exportedMessages(prisma, selection);
    const total = await exportedCount(prisma, selection);
    const { userId } = selection;
    const job = await JobWriter.start(
      prisma,
      'export',
      userId,
      { id: randomUUID(), status: 'running', format, messages: 0, bytes: 0, total },
      options,
    );
    const started = job.state;
    await fs.promises.mkdir(this.userDir(userId), { recursive: true, mode: 0o700 });
    const progress = (change: Partial<ExportJobOut>) => {
      if (job.update(change)) options.onProgress?.(job.state);
    };
    let written = { messages: 0, bytes: 0 };
    const body = exportStream(messages, format, (count, bytes) => {
      written = { messages: count, bytes };
      progress(written);
    });
    void pipeline(body, fs.createWriteStream(this.file(userId, started.id), { mode: 0o600 }))
      .then(() => job.finish({ status: 'done', ...written }))
      .catch((error: Error) => job.finish({ status: 'failed', error: error.message }))
      .then((outcome) => options.onProgress?.(outcome));
    return started;
  }

  /** One of the user's prepared exports (from any process). */
  get(prisma: Db, userId: string, id: string): Promise<ExportJobOut> {
    return readJob(prisma, 'export', userId, id, 'export');
  }

  /** The finished file of one of the user's exports. */
  async fileOf(
    prisma: Db,
    userId: string,
    id: string,
  ): Promise<{ path: string; job: ExportJobOut }> {
    const job = await this.get(prisma, userId, id);
    if (job.status !== 'done') throw notFound('This export is not ready');
    const file = this.file(userId, id);
    // Written on another host whose data folder this one does not share.
    if (!fs.existsSync(file)) throw notFound('The file of this export is not on this server');
    return { path: file, job };
  }

  private userDir(userId: string): string {
    return path.join(this.dir, userId);
  }

  private file(userId: string, id: string): string {
    return path.join(this.userDir(userId), `${id}.export`);
  }
}
