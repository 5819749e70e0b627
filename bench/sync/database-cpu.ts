import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by the PostgreSQL backends serving one database, read from /proc: the
 * server runs on this machine in the benchmark. Null where /proc does not show them.
 */
export function databaseCpuSeconds(databaseName: string): number | null {
  let ticks = 0;
  let found = false;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      // A backend names itself "postgres: user database host(port) state".
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres: ') || !title.split(' ').includes(databaseName)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      found = true;
    } catch {
      // The process ended meanwhile.
    }
  }
  return found ? ticks / TICKS_PER_SECOND : null;
}
