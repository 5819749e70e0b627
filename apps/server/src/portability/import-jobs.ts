import { randomUUID } from 'node:crypto';
import type { ImportJobOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { JobWriter, readJob } from './portability-jobs';

/**
 * An import runs in the process that received the file; its state is in PostgreSQL
 * (portability-jobs.ts), so GET /api/imports/:id answers from any process, and its progress
 * reaches the user as import.progress events (through PostgreSQL too).
 */
export function startImportJob(
  prisma: Db,
  userId: string,
  fileName: string,
  accountId: string,
  options: { onError: (error: unknown) => void; running: Set<string> },
): Promise<JobWriter<'import'>> {
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
  return JobWriter.start(prisma, 'import', userId, job, options);
}

/** One of the user's imports: its progress, then its summary. */
export const importJob = (prisma: Db, userId: string, id: string) =>
  readJob(prisma, 'import', userId, id, 'import');
