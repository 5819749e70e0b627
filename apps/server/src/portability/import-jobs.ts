import { randomUUID } from 'node:crypto';
import type { ImportJobOut } from '@popgate/contracts';
import { notFound } from '../domain-errors';

/** How long a finished import's summary stays readable. */
const KEEP_MS = 24 * 3600_000;

/**
 * The imports of this process: an import runs in the process that received the file, and its
 * progress reaches the user as import.progress events (through PostgreSQL, so any process's
 * websocket carries them); its summary is kept here a day.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, { userId: string; job: ImportJobOut; at: number }>();

  start(userId: string, fileName: string, accountId: string): ImportJobOut {
    this.prune();
    const job: ImportJobOut = {
      id: randomUUID(),
      status: 'running',
      fileName,
      accountId,
      imported: 0,
      duplicates: 0,
      failed: 0,
      problems: [],
    };
    this.jobs.set(job.id, { userId, job, at: Date.now() });
    return job;
  }

  update(id: string, change: Partial<ImportJobOut>): ImportJobOut {
    const entry = this.jobs.get(id)!;
    entry.job = { ...entry.job, ...change };
    entry.at = Date.now();
    return entry.job;
  }

  get(userId: string, id: string): ImportJobOut {
    const entry = this.jobs.get(id);
    if (!entry || entry.userId !== userId) throw notFound('No such import');
    return entry.job;
  }

  private prune(): void {
    const before = Date.now() - KEEP_MS;
    for (const [id, entry] of this.jobs)
      if (entry.at < before && entry.job.status !== 'running') this.jobs.delete(id);
  }
}
