import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExportJobOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import { exportedMessages, type ExportSelection } from './export-selection';
import { mboxStream, zipStream, type ExportFormat } from './export-stream';

/** How long a prepared file waits to be downloaded (and downloaded again, or resumed). */
const KEEP_MS = 24 * 3600_000;

/**
 * Exports written to a file first (in the data folder), for a download that can be resumed
 * with HTTP Range and a progress to show while it is written. Kept by the process that wrote
 * them, a day.
 */
export class PreparedExports {
  private readonly jobs = new Map<string, { userId: string; job: ExportJobOut; at: number }>();

  private static readonly byDir = new Map<string, PreparedExports>();

  /** The one set of prepared exports kept in `dir` by this process. */
  static in(dir: string): PreparedExports {
    let found = PreparedExports.byDir.get(dir);
    if (!found) PreparedExports.byDir.set(dir, (found = new PreparedExports(dir)));
    return found;
  }

  private constructor(private readonly dir: string) {}

  /** A user who leaves takes their prepared files with them. */
  forgetUser(userId: string): void {
    for (const [id, entry] of this.jobs) {
      if (entry.userId !== userId) continue;
      this.jobs.delete(id);
      fs.rm(this.file(id), { force: true }, () => {});
    }
  }

  /** Checks the selection, then writes the file in the background. */
  async start(prisma: Db, selection: ExportSelection, format: ExportFormat): Promise<ExportJobOut> {
    this.prune();
    const messages = await exportedMessages(prisma, selection);
    const job: ExportJobOut = {
      id: randomUUID(),
      status: 'running',
      format,
      messages: 0,
      bytes: 0,
    };
    const entry = { userId: selection.userId, job, at: Date.now() };
    this.jobs.set(job.id, entry);
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const counted = (async function* () {
      for await (const message of messages) {
        job.messages++;
        yield message;
      }
    })();
    const source = format === 'mbox' ? mboxStream(counted) : zipStream(counted);
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        job.bytes += chunk.length;
        done(null, chunk);
      },
    });
    void pipeline(source, measure, fs.createWriteStream(this.file(job.id), { mode: 0o600 }))
      .then(() => {
        job.status = 'done';
      })
      .catch((error: Error) => {
        job.status = 'failed';
        job.error = error.message;
      })
      .finally(() => {
        entry.at = Date.now();
      });
    return { ...job };
  }

  get(userId: string, id: string): ExportJobOut {
    const entry = this.jobs.get(id);
    if (!entry || entry.userId !== userId) throw notFound('No such export');
    return { ...entry.job };
  }

  /** The finished file of one of the user's exports. */
  fileOf(userId: string, id: string): { path: string; job: ExportJobOut } {
    const job = this.get(userId, id);
    if (job.status !== 'done') throw notFound('This export is not ready');
    return { path: this.file(id), job };
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.export`);
  }

  private prune(): void {
    const before = Date.now() - KEEP_MS;
    for (const [id, entry] of this.jobs) {
      if (entry.at >= before || entry.job.status === 'running') continue;
      this.jobs.delete(id);
      fs.rm(this.file(id), { force: true }, () => {});
    }
  }
}
