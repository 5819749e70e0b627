import { createPrismaClient } from '../../apps/server/src/db/prisma';
import { parseMessage } from '../../apps/server/src/mail/parse-message';
import { importMailbox } from '../../apps/server/src/portability/import-mailbox';
import { importTarget } from '../../apps/server/src/portability/imported-source';

/**
 * Run by run.ts in a process of its own: imports one mbox file into a new user and prints the
 * summary, the time and the process's high-water mark (getrusage maxrss) as one JSON line.
 */
const { databaseUrl, file } = JSON.parse(process.env.IMPORT_BENCH_CHILD ?? '') as {
  databaseUrl: string;
  file: string;
};
const prisma = createPrismaClient(databaseUrl, 10);
try {
  const user = await prisma.user.create({
    data: { email: `import-${Date.now()}@bench.popgate.test` },
  });
  const accountId = await importTarget(prisma, user.id);
  // Load the parser's modules before the baseline, so it counts the mail, not the code.
  await parseMessage(Buffer.from('Subject: warm-up\r\n\r\nwarm-up\r\n'));
  globalThis.gc?.();
  const baselineBytes = process.memoryUsage().rss;
  const started = performance.now();
  const summary = await importMailbox(prisma, {
    userId: user.id,
    accountId,
    path: file,
    maxMessageBytes: 50 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      imported: summary.imported,
      duplicates: summary.duplicates,
      failed: summary.failed,
      seconds,
      baselineBytes,
      peakBytes: process.resourceUsage().maxRSS * 1024,
    }),
  );
} finally {
  await prisma.$disconnect();
}
