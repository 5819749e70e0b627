// The POP3 side of a check that finds the mailbox as it was, against a server whose every answer
// comes `delayMs` after the command (as from a server that far away): QUIT waited for (quit()),
// the peer, against QUIT sent without waiting for its answer (leave()), what the sync does when
// nothing is marked. Sessions alternate so both see the same machine.
import os from 'node:os';
import { Pop3Client } from '@popgate/pop3';
import { DEFAULT_MAILBOX_CLOCK } from '../scale/load-mailbox';
import { LoadServer } from '../scale/load-server';

const DELAY_MS = Number(process.env.UNCHANGED_POLL_DELAY_MS ?? 100);
const SESSIONS = Number(process.env.UNCHANGED_POLL_SESSIONS ?? 20);

const server = await LoadServer.start({
  addresses: ['127.0.0.1'],
  security: 'none',
  delayMs: DELAY_MS,
  password: 'secret',
  clock: { ...DEFAULT_MAILBOX_CLOCK, startedAt: Date.now() },
});

async function session(end: 'quit' | 'leave'): Promise<number> {
  const started = performance.now();
  const client = await Pop3Client.connect({
    host: '127.0.0.1',
    port: server.port,
    security: 'none',
    auth: { username: 'u1', password: 'secret', allowPlaintextPassword: true },
  });
  await client.uidl();
  await (end === 'quit' ? client.quit() : client.leave());
  return performance.now() - started;
}

const times = { quit: [] as number[], leave: [] as number[] };
for (let i = 0; i < SESSIONS; i++) {
  times.quit.push(await session('quit'));
  times.leave.push(await session('leave'));
}
await server.close();
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quit = p50(times.quit);
const leave = p50(times.leave);
console.log(
  `unchanged-poll: ${SESSIONS} sessions each, answers ${DELAY_MS} ms after the command; ` +
    `p50 QUIT answered ${quit.toFixed(0)} ms, QUIT unanswered ${leave.toFixed(0)} ms: ` +
    `${(leave / quit).toFixed(2)} x; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
);
