import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../src/maintenance/housekeeping';
import { INTERRUPTED, STALE_MS } from '../src/portability/portability-jobs';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { finishedImport, startImport, uploadImport } from './support/import-upload';

/** An mbox of `count` small messages, each its own. */
const mbox = (count: number, tag: string) =>
  Buffer.from(
    Array.from({ length: count }, (_, n) =>
      [
        `From sender${n}@example.test Mon Nov  2 08:00:00 2026`,
        `From: Sender ${n} <sender${n}@example.test>`,
        'To: me@example.test',
        `Subject: ${tag} ${n}`,
        'Date: Mon, 02 Nov 2026 08:00:00 +0000',
        `Message-ID: <${tag}-${n}@example.test>`,
        '',
        `Message ${n} of ${tag}.`,
        '',
        '',
      ].join('\n'),
    ).join(''),
  );

/** Two Popgate processes behind a load balancer: one database, one host's data folder. */
let shared: string;
let first: Awaited<ReturnType<typeof testApp>>;
let second: Awaited<ReturnType<typeof testApp>>;
let third: Awaited<ReturnType<typeof testApp>> | undefined;

beforeAll(async () => {
  shared = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-two-processes-'));
  first = await testApp({ dataDir: shared });
  second = await testApp({ dataDir: shared });
});
afterAll(async () => {
  await third?.close();
  await second?.close();
  await first?.close();
  fs.rmSync(shared, { recursive: true, force: true });
});

/** The same signed-in browser, its requests reaching either process. */
async function browsers(tag: string) {
  const onFirst = new ApiClient(first.app);
  const me = await onFirst.signUp(`${tag}-${Date.now()}-${Math.random()}@example.test`);
  const onSecond = new ApiClient(second.app);
  const signedIn = await onSecond.post('/api/auth/login', {
    email: me.email,
    password: 'correct horse battery',
  });
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  return { me, onFirst, onSecond };
}

describe('imports and prepared exports across processes', () => {
  it('an export prepared by one process is followed and downloaded from the other, resumable', async () => {
    const { onFirst, onSecond } = await browsers('export');
    const imported = await uploadImport(first.app, onFirst, 'mail.mbox', mbox(30, 'exported'));
    expect(imported).toMatchObject({ status: 'done', imported: 30 });
    const streamed = (await onFirst.get('/api/export?format=mbox')).rawPayload;

    const started = await onFirst.post('/api/exports', { format: 'mbox' });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().id;
    let job = started.json();
    while (job.status === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      const reply = await onSecond.get(`/api/exports/${id}`);
      expect(reply.statusCode, reply.body).toBe(200);
      job = reply.json();
    }
    expect(job).toMatchObject({ status: 'done', messages: 30, total: 30, bytes: streamed.length });
    const whole = await onSecond.get(`/api/exports/${id}/file`);
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(streamed)).toBe(true);
    const rest = await onSecond.get(`/api/exports/${id}/file`, { range: 'bytes=500-' });
    expect(rest.statusCode).toBe(206);
    expect(rest.rawPayload.equals(streamed.subarray(500))).toBe(true);
    // Still nobody else's, on either process.
    const stranger = new ApiClient(second.app);
    await stranger.signUp(`export-stranger-${Date.now()}@example.test`);
    expect((await stranger.get(`/api/exports/${id}`)).statusCode).toBe(404);
    expect((await stranger.get(`/api/exports/${id}/file`)).statusCode).toBe(404);
  });

  it("an import's progress and summary are read from the other process", async () => {
    const { onFirst, onSecond } = await browsers('import');
    const id = await startImport(first.app, onFirst, 'big.mbox', mbox(3000, 'progress'));
    const seen: Array<{ status: string; imported: number }> = [];
    for (;;) {
      const reply = await onSecond.get(`/api/imports/${id}`);
      expect(reply.statusCode, reply.body).toBe(200);
      const job = reply.json();
      seen.push(job);
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen[0]).toMatchObject({ status: 'running', fileName: 'big.mbox' });
    // Written as it goes (at most once a second), not only at the end.
    expect(seen.some((job) => job.status === 'running' && job.imported > 0)).toBe(true);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ status: 'done', imported: 3000, duplicates: 0, failed: 0 });
    // Progress only grows, and the same summary on both processes.
    const counts = seen.map((job) => job.imported);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(await finishedImport(onFirst, id)).toEqual(last);
  });

  it('a process that closes marks its running import interrupted, read as such from the other', async () => {
    third = await testApp({ dataDir: shared });
    const onThird = new ApiClient(third.app);
    const me = await onThird.signUp(`interrupted-${Date.now()}@example.test`);
    const id = await startImport(third.app, onThird, 'cut.mbox', mbox(3000, 'cut'));
    await third.close();
    third = undefined;
    const onSecond = new ApiClient(second.app);
    await onSecond.post('/api/auth/login', { email: me.email, password: 'correct horse battery' });
    const job = (await onSecond.get(`/api/imports/${id}`)).json();
    expect(job).toMatchObject({ status: 'failed', error: INTERRUPTED.import });
    expect(job.error).toBe('interrupted by a restart: import again; duplicates are skipped');
  });

  it('a job left running by a process that stopped without closing reads as failed; housekeeping marks it and later removes expired ones with their files', async () => {
    const { me, onSecond } = await browsers('stale');
    const prisma = second.db.prisma;
    const stale = '00000000-0000-4000-8000-00000000a001';
    const old = '00000000-0000-4000-8000-00000000a002';
    const running = { id: stale, status: 'running', format: 'zip', messages: 3, bytes: 10 };
    await prisma.portabilityJob.createMany({
      data: [
        {
          id: stale,
          userId: me.id,
          kind: 'export',
          status: 'running',
          state: running,
          updatedAt: new Date(Date.now() - STALE_MS - 60_000),
        },
        {
          id: old,
          userId: me.id,
          kind: 'export',
          status: 'done',
          state: { ...running, id: old, status: 'done' },
          updatedAt: new Date(Date.now() - 2 * 86_400_000),
        },
      ],
    });
    const file = path.join(shared, 'exports', me.id, `${old}.export`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'an old export');

    const read = (await onSecond.get(`/api/exports/${stale}`)).json();
    expect(read).toMatchObject({ status: 'failed', error: INTERRUPTED.export });
    expect((await prisma.portabilityJob.findUnique({ where: { id: stale } }))?.status).toBe(
      'failed',
    );

    const removed = await runHousekeeping(prisma);
    expect(removed.portabilityJobs).toBeGreaterThanOrEqual(1);
    expect(await prisma.portabilityJob.findUnique({ where: { id: old } })).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
    // Failed just now: kept its day.
    expect(await prisma.portabilityJob.findUnique({ where: { id: stale } })).not.toBeNull();
  });
});
