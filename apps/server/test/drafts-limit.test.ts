import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  subject = await testApp();
});
afterAll(async () => {
  await subject?.close();
});

describe('a draft', () => {
  it("tells the administrator's limit for a whole outgoing message, as the policy sets it", async () => {
    const prisma = subject.app.db.prisma;
    const client = new ApiClient(subject.app);
    await client.signUp(`limit-${randomBytes(4).toString('hex')}@example.test`);
    const { maxOutgoingBytes } = await prisma.policy.findUniqueOrThrow({ where: { id: 1 } });

    const created = await client.post('/api/drafts', { subject: 'Hello' });
    expect(created.statusCode).toBe(201);
    expect(created.json().maxOutgoingBytes).toBe(maxOutgoingBytes);

    await prisma.policy.update({ where: { id: 1 }, data: { maxOutgoingBytes: 3 * 1024 * 1024 } });
    try {
      const id = created.json().id as string;
      for (const reply of [
        await client.get(`/api/drafts/${id}`),
        await client.patch(`/api/drafts/${id}`, { subject: 'Hello again' }),
      ]) {
        expect(reply.json().maxOutgoingBytes).toBe(3 * 1024 * 1024);
      }
      const listed = await client.get('/api/drafts');
      expect(
        listed.json().items.map((d: { maxOutgoingBytes: number }) => d.maxOutgoingBytes),
      ).toEqual([3 * 1024 * 1024]);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxOutgoingBytes } });
    }
  });
});
