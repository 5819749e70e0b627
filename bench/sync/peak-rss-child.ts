import { parseMessage } from '../../apps/server/src/mail/parse-message';
import type { FetchTarget } from '../pop3-fetch/fetch-with-popgate';
import { PopgateSync } from './popgate-sync';

/**
 * Run by measure-peak-rss.ts in a process of its own: links the mailbox, settles, notes the
 * resident set, runs one sync, and prints the process's high-water mark as one JSON line.
 */
const { databaseUrl, target } = JSON.parse(process.env.SYNC_BENCH_CHILD ?? '') as {
  databaseUrl: string;
  target: FetchTarget;
};
const popgate = await PopgateSync.open(databaseUrl);
try {
  const accountId = await popgate.link(target);
  // Load the parser's modules before the baseline, so it counts the message, not the code.
  await parseMessage(Buffer.from('Subject: warm-up\r\n\r\nwarm-up\r\n'));
  globalThis.gc?.();
  const baselineBytes = process.memoryUsage().rss;
  const result = await popgate.sync(accountId);
  const peakBytes = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({ baselineBytes, peakBytes, messages: result.newMessages, bytes: result.bytes }),
  );
} finally {
  await popgate.close();
}
