import { createHash, randomBytes } from 'node:crypto';
import { notFound } from '../../apps/server/src/domain-errors';
import { servedAttachmentType } from '../../apps/server/src/mail/attachment-type';
import { contentDisposition, safeFilename } from '../../apps/server/src/mail/content-disposition';
import { parseMessage } from '../../apps/server/src/mail/parse-message';
import { rawMessage } from '../../apps/server/src/messages/raw-message';
import { storeMessage } from '../../apps/server/src/messages/store';
import { createSession, SESSION_COOKIE } from '../../apps/server/src/users/sessions';
import { createMigratedDatabase, dropDatabase } from '../../apps/server/test/support/databases';
import { userWithAccount } from '../../apps/server/test/support/fixtures';
import { startPopgate } from '../api/popgate';
import { inAlternatingOrder, median } from '../shared/rounds';
import { attachmentFromSource } from './attachment-from-source';

if (process.argv.includes('--help')) {
  console.log(`Usage: npx tsx bench/attachments/run.ts

Stores one message with a large attachment through Popgate's store into a fresh database on
the PostgreSQL server (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
then downloads the attachment over HTTP, alternately (a) as Popgate serves it today, from
attachments.content, and (b) decoded from the raw message bytes (message_sources.bytes) as they
stream through mailparser. Prints medians of time to first byte, total time and CPU time (of
this process, where Popgate and the client both run), and the ratios.

  ATTACHMENT_BENCH_MIB     size of the attachment in MiB (default 10)
  ATTACHMENT_BENCH_ROUNDS  counted rounds, after one warm-up (default 9)`);
  process.exit(0);
}

const MiB = 1024 * 1024;
const ATTACHMENT_BYTES = Number(process.env.ATTACHMENT_BENCH_MIB ?? 10) * MiB;
const ROUNDS = Number(process.env.ATTACHMENT_BENCH_ROUNDS ?? 9);
const POOL = 10;

/** A message as a mail client sends one: a text part and the attachment in base64 lines of 76. */
function messageWith(attachment: Buffer): Buffer {
  const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Ada <ada@example.test>',
      'To: Grace <grace@example.test>',
      'Subject: The measurements',
      'Date: Mon, 02 Nov 2026 08:00:00 +0000',
      'Message-ID: <measurements@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The measurements are attached.',
      '--b',
      'Content-Type: application/octet-stream; name="measurements.bin"',
      'Content-Disposition: attachment; filename="measurements.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      base64.trimEnd(),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

interface Download {
  /** From the request until the first byte of the body. */
  firstByteMs: number;
  totalMs: number;
  /** CPU time of this process meanwhile (Popgate and the client run in it), user and system. */
  cpuMs: number;
  sha256: string;
}

async function download(url: string, headers: Record<string, string>): Promise<Download> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const response = await fetch(url, { headers });
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`);
  const hash = createHash('sha256');
  let firstByteMs = 0;
  for await (const chunk of response.body) {
    firstByteMs ||= performance.now() - started;
    hash.update(chunk);
  }
  const totalMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { firstByteMs, totalMs, cpuMs: (user + system) / 1000, sha256: hash.digest('hex') };
}

const database = await createMigratedDatabase('popgate_bench_attachments');
try {
  const popgate = await startPopgate(database.url, POOL, (app) => {
    // What GET /api/messages/:id/attachments/:attachmentId would do with only the raw bytes kept:
    // the attachment's row (without content) says its name, type and place; the bytes come from
    // the message's source, decoded as they stream through the parser.
    app.get<{ Params: { id: string; attachmentId: string } }>(
      '/api/bench/attachments-from-source/:id/:attachmentId',
      { preHandler: app.requireUser },
      async (request, reply) => {
        const userId = request.user!.id;
        const { id, attachmentId } = request.params;
        const attachments = await app.db.prisma.attachment.findMany({
          where: { messageId: id, message: { userId } },
          select: { id: true, filename: true, contentType: true },
          orderBy: { id: 'asc' },
        });
        const index = attachments.findIndex((a) => a.id === attachmentId);
        if (index < 0) throw notFound('No such attachment');
        const { bytes } = await rawMessage(app.db.prisma, userId, id);
        const { filename, contentType } = attachments[index]!;
        return reply
          .header('content-type', servedAttachmentType(contentType))
          .header(
            'content-disposition',
            contentDisposition('attachment', safeFilename(filename, 'attachment')),
          )
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('cache-control', 'private, max-age=86400')
          .send(attachmentFromSource(bytes, index));
      },
    );
  });
  try {
    const { prisma, origin } = popgate;
    const { user, account } = await userWithAccount(prisma);
    const content = randomBytes(ATTACHMENT_BYTES);
    const expected = createHash('sha256').update(content).digest('hex');
    const raw = messageWith(content);
    const stored = await storeMessage(
      prisma,
      {
        accountId: account.id,
        userId: user.id,
        uidl: 'measurements',
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: new Date(),
      },
      await parseMessage(raw),
    );
    const [sizes] = await prisma.$queryRaw<Array<{ source: number; attachment: number }>>`
      SELECT pg_column_size(s.bytes) AS source, pg_column_size(a.content) AS attachment
        FROM messages m JOIN message_sources s ON s.sha256 = m."sourceSha256"
        JOIN attachments a ON a."messageId" = m.id
       WHERE m.id = ${stored.id}::uuid`;
    const attachment = await prisma.attachment.findFirstOrThrow({
      where: { messageId: stored.id },
      select: { id: true },
    });
    console.log(
      `message: ${(raw.length / MiB).toFixed(1)} MiB raw with a ${(content.length / MiB).toFixed(1)} MiB attachment; ` +
        `stored: source ${(sizes!.source / MiB).toFixed(1)} MiB + attachment ${(sizes!.attachment / MiB).toFixed(1)} MiB`,
    );

    const headers = {
      cookie: `${SESSION_COOKIE}=${(await createSession(prisma, user.id, { ip: '127.0.0.1' })).token}`,
    };
    const today = `${origin}/api/messages/${stored.id}/attachments/${attachment.id}`;
    const fromSource = `${origin}/api/bench/attachments-from-source/${stored.id}/${attachment.id}`;
    const fromStored: Download[] = [];
    const decoded: Download[] = [];
    // Round 0 warms up (code compiled on first use, buffers, PostgreSQL's cache) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const [a, b] = await inAlternatingOrder(
        round,
        () => download(today, headers),
        () => download(fromSource, headers),
      );
      for (const answer of [a, b]) {
        if (answer.sha256 !== expected) throw new Error('an answer is not the attachment');
      }
      const line = (name: string, d: Download) =>
        `${name} first byte ${d.firstByteMs.toFixed(1)} ms, total ${d.totalMs.toFixed(1)} ms, CPU ${d.cpuMs.toFixed(1)} ms`;
      console.log(
        `round ${round}${round === 0 ? ' (warm-up)' : ''}: ${line('(a) stored', a)}; ${line('(b) from source', b)}`,
      );
      if (round === 0) continue;
      fromStored.push(a);
      decoded.push(b);
    }
    const report = (what: string, pick: (d: Download) => number) => {
      const a = median(fromStored.map(pick));
      const b = median(decoded.map(pick));
      console.log(
        `${what}: (a) stored ${a.toFixed(1)} ms, (b) from source ${b.toFixed(1)} ms, ratio b/a ${(b / a).toFixed(2)}`,
      );
    };
    console.log(`medians of ${ROUNDS} rounds:`);
    report('time to first byte', (d) => d.firstByteMs);
    report('total time', (d) => d.totalMs);
    report('CPU time', (d) => d.cpuMs);
  } finally {
    await popgate.close();
  }
} finally {
  await dropDatabase(database.name);
}
