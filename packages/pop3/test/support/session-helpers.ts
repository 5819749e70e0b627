import type { Pop3Error, Pop3LogEntry } from '../../src/index';

/** Collects the protocol log of a session. */
export function recordLog(): { entries: Pop3LogEntry[]; log: (entry: Pop3LogEntry) => void } {
  const entries: Pop3LogEntry[] = [];
  return { entries, log: (entry) => entries.push(entry) };
}

/** Resolves to the Pop3Error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Pop3Error> {
  try {
    await promise;
  } catch (error) {
    return error as Pop3Error;
  }
  throw new Error('expected the promise to reject');
}
