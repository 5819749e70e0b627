import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '@popgate/dovecot-harness';
import { generateCorpus } from '@popgate/pop3-server';
import { inAlternatingOrder, median, timed } from '../shared/rounds';
import { fetchWithMpop } from './fetch-with-mpop';
import { fetchWithPopgate, type FetchTarget } from './fetch-with-popgate';

const MESSAGES = 2_000;
/** Rounds alternate which client goes first; medians smooth out a busy machine. */
const ROUNDS = Number(process.env.POP3_FETCH_ROUNDS ?? 3);

const dovecot = await startDovecot();
const workDir = await mkdtemp(join(tmpdir(), 'pop3-fetch-bench-'));
try {
  const user = dovecot.users[0]!;
  const messages = generateCorpus({ count: MESSAGES, seed: 1 }).map((message) => message.body);
  for (const raw of messages) await dovecot.deliver(user.username, raw);
  const totalBytes = messages.reduce((sum, raw) => sum + raw.length, 0);
  console.log(`mailbox: ${messages.length} messages, ${(totalBytes / 1024 / 1024).toFixed(1)} MiB`);

  const target: FetchTarget = {
    host: dovecot.host,
    port: dovecot.tlsPort,
    caPem: dovecot.caPem,
    username: user.username,
    password: user.password,
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const roundDir = join(workDir, `round-${round}`);
    const popgateDir = join(roundDir, 'popgate');
    const mpopDir = join(roundDir, 'mpop');
    await mkdir(popgateDir, { recursive: true });
    await mkdir(mpopDir, { recursive: true });
    const [popgate, mpop] = await inAlternatingOrder(
      round,
      () => timed(() => fetchWithPopgate(target, popgateDir)),
      () => timed(() => fetchWithMpop(target, mpopDir)),
    );
    if (popgate.value !== messages.length || mpop.value !== messages.length) {
      throw new Error(
        `counts differ: popgate ${popgate.value}, mpop ${mpop.value}, mailbox ${messages.length}`,
      );
    }
    ours.push(popgate.seconds);
    theirs.push(mpop.seconds);
    console.log(
      `round ${round}: popgate ${popgate.seconds.toFixed(2)} s, mpop ${mpop.seconds.toFixed(2)} s (${popgate.value} messages each)`,
    );
    await rm(roundDir, { recursive: true, force: true });
  }
  const popgateSeconds = median(ours);
  const mpopSeconds = median(theirs);
  console.log(
    `pop3-fetch: popgate ${popgateSeconds.toFixed(2)} s, mpop ${mpopSeconds.toFixed(2)} s, ratio ${(popgateSeconds / mpopSeconds).toFixed(2)}`,
  );
} finally {
  await dovecot.stop();
  await rm(workDir, { recursive: true, force: true });
}
