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
  // The policy is read, not changed: other test files share this database.
  it("tells the administrator's limit for a whole outgoing message in every reply", async () => {
    const client = new ApiClient(subject.app);
    await client.signUp(`limit-${randomBytes(4).toString('hex')}@example.test`);
    const policy = await subject.app.db.prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
    expect(policy.maxOutgoingBytes).toBeGreaterThan(0);

    const created = await client.post('/api/drafts', { subject: 'Hello' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const replies = [
      created.json(),
      (await client.get(`/api/drafts/${id}`)).json(),
      (await client.patch(`/api/drafts/${id}`, { subject: 'Hello again' })).json(),
      ...(await client.get('/api/drafts')).json().items,
    ];
    expect(replies.map((draft) => draft.maxOutgoingBytes)).toEqual(
      replies.map(() => policy.maxOutgoingBytes),
    );
  });
});
