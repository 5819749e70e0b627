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

const prisma = () => subject.app.db.prisma;

async function draftOf() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`attach-${randomBytes(4).toString('hex')}@example.test`);
  const draft = (
    await client.post('/api/drafts', { subject: 'files', text: 'see attached' })
  ).json();
  return { client, user, draft };
}

/** ApiClient sends JSON; an upload's body is the file itself. */
async function send(client: ApiClient, draftId: string, name: string, bytes: Buffer, type: string) {
  const csrf = await client.get('/api/auth/csrf');
  return subject.app.inject({
    method: 'POST',
    url: `/api/drafts/${draftId}/attachments?filename=${encodeURIComponent(name)}`,
    headers: {
      cookie: client.cookieHeader,
      'x-csrf-token': csrf.json().token,
      'content-type': type,
    },
    payload: bytes,
  });
}

describe('draft attachments', () => {
  it('take the file as the request body, of any type, and give it back byte for byte', async () => {
    const { client, draft } = await draftOf();
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5000)]);
    const json = Buffer.from('{"not": "parsed"}');
    const first = await send(client, draft.id, 'report.pdf', pdf, 'application/pdf');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      filename: 'report.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
    });
    const second = await send(client, draft.id, 'data.json', json, 'application/json');
    expect(second.statusCode).toBe(201);
    const third = await send(
      client,
      draft.id,
      '../../etc/passwd',
      Buffer.from('x'),
      'Application/X-Thing; name="y"',
    );
    expect(third.json()).toMatchObject({
      filename: '_.._etc_passwd',
      contentType: 'application/x-thing',
    });

    const download = await client.get(`/api/drafts/${draft.id}/attachments/${first.json().id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    const jsonBack = await client.get(`/api/drafts/${draft.id}/attachments/${second.json().id}`);
    expect(jsonBack.rawPayload.equals(json)).toBe(true);

    const listed = (await client.get(`/api/drafts/${draft.id}`)).json();
    expect(listed.attachments.map((a: { filename: string }) => a.filename)).toEqual([
      'report.pdf',
      'data.json',
      '_.._etc_passwd',
    ]);
    const removed = await client.delete(`/api/drafts/${draft.id}/attachments/${first.json().id}`);
    expect(removed.statusCode).toBe(204);
    expect((await client.get(`/api/drafts/${draft.id}`)).json().attachments).toHaveLength(2);
  });

  it('refuse an empty file', async () => {
    const { client, draft } = await draftOf();
    const response = await send(client, draft.id, 'empty.txt', Buffer.alloc(0), 'text/plain');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'EMPTY_ATTACHMENT',
      message: '"empty.txt" is empty',
    });
  });

  it("refuse a file that would pass the admin's limit with 413, naming the limit, and keep nothing", async () => {
    const { client, draft } = await draftOf();
    const { maxOutgoingBytes } = await prisma().policy.upsert({
      where: { id: 1 },
      update: {},
      create: {},
    });
    const half = Buffer.alloc(Math.floor(maxOutgoingBytes / 2), 7);
    expect(
      (await send(client, draft.id, 'a.bin', half, 'application/octet-stream')).statusCode,
    ).toBe(201);
    const response = await send(client, draft.id, 'b.bin', half, 'application/octet-stream');
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(response.json().error.message).toMatch(
      /"b\.bin" is too large: a message may hold at most 25 MB/,
    );
    expect(await prisma().draftAttachment.count({ where: { draftId: draft.id } })).toBe(1);
  });

  it("answer 404 to another user, for the draft's files and for uploads", async () => {
    const owner = await draftOf();
    const stranger = await draftOf();
    const file = (
      await send(owner.client, owner.draft.id, 'a.txt', Buffer.from('a'), 'text/plain')
    ).json();
    const url = `/api/drafts/${owner.draft.id}/attachments/${file.id}`;
    expect((await stranger.client.get(url)).statusCode).toBe(404);
    expect((await stranger.client.delete(url)).statusCode).toBe(404);
    const upload = await send(
      stranger.client,
      owner.draft.id,
      'b.txt',
      Buffer.from('b'),
      'text/plain',
    );
    expect(upload.statusCode).toBe(404);
    // Someone else's attachment id under my own draft is not mine either.
    const crossed = `/api/drafts/${stranger.draft.id}/attachments/${file.id}`;
    expect((await stranger.client.get(crossed)).statusCode).toBe(404);
    expect(await prisma().draftAttachment.count({ where: { draftId: owner.draft.id } })).toBe(1);
  });

  it('refuse anonymous uploads', async () => {
    const { draft } = await draftOf();
    const anonymous = new ApiClient(subject.app);
    const response = await send(anonymous, draft.id, 'a.txt', Buffer.from('x'), 'text/plain');
    expect(response.statusCode).toBe(401);
    expect(await prisma().draftAttachment.count({ where: { draftId: draft.id } })).toBe(0);
  });
});
