import type { Db } from '../db/prisma';
import { expireJobs, failInterrupted } from './portability-jobs';
import { PreparedExports } from './prepared-exports';

/**
 * Housekeeping's part: jobs a stopped process left running are marked interrupted; finished
 * ones past their day are removed, with the files of prepared exports (from the folders this
 * process writes them in: each host removes its own). Answers how many were removed.
 */
export async function expirePortabilityJobs(prisma: Db): Promise<number> {
  await failInterrupted(prisma);
  const expired = await expireJobs(prisma);
  for (const job of expired) {
    if (job.kind !== 'export') continue;
    for (const prepared of PreparedExports.all()) await prepared.forget(job.userId, job.id);
  }
  return expired.length;
}
