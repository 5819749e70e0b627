import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { ApiClient } from './api-client';

/** multipart/form-data as a browser's FormData sends it: the fields, then the file. */
export function formData(fields: Record<string, string>, file: { name: string; bytes: Buffer }) {
  const boundary = `----popgate${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

/** Starts an import through POST /api/imports; answers its id. */
export async function startImport(
  app: FastifyInstance,
  browser: ApiClient,
  name: string,
  bytes: Buffer,
): Promise<string> {
  const { body, type } = formData({}, { name, bytes });
  const started = await app.inject({
    method: 'POST',
    url: '/api/imports',
    headers: {
      cookie: browser.cookieHeader,
      'x-csrf-token': (await browser.get('/api/auth/csrf')).json().token,
      'content-type': type,
    },
    payload: body,
  });
  expect(started.statusCode, started.body).toBe(202);
  return started.json().id;
}

/** Polls GET /api/imports/:id (through `poller`, the same app by default) until it ends. */
export async function finishedImport(poller: ApiClient, id: string) {
  for (;;) {
    const reply = await poller.get(`/api/imports/${id}`);
    expect(reply.statusCode, reply.body).toBe(200);
    const job = reply.json();
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Imports a file through POST /api/imports and waits for its summary. */
export async function uploadImport(
  app: FastifyInstance,
  browser: ApiClient,
  name: string,
  bytes: Buffer,
) {
  return finishedImport(browser, await startImport(app, browser, name, bytes));
}
