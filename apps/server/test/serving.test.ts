import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support/app';

/** A built web app as Vite lays it out: index.html, public files, and hashed assets. */
function builtWebApp(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-serving-'));
  fs.writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><title>Popgate</title><div id="app"></div>',
  );
  fs.writeFileSync(path.join(root, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  fs.writeFileSync(path.join(root, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.mkdirSync(path.join(root, 'assets'));
  const script = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i};`).join('\n');
  fs.writeFileSync(path.join(root, 'assets', 'index-B2x9k1Qa.js'), script);
  // A script the build compressed ahead (vite.config.ts writes .br and .gz copies).
  const vendor = Array.from({ length: 400 }, (_, i) => `export const item${i} = '${i}';`).join(
    '\n',
  );
  fs.writeFileSync(path.join(root, 'assets', 'vendor-Xy12AbCd.js'), vendor);
  fs.writeFileSync(
    path.join(root, 'assets', 'vendor-Xy12AbCd.js.br'),
    zlib.brotliCompressSync(Buffer.from(vendor)),
  );
  fs.writeFileSync(
    path.join(root, 'assets', 'vendor-Xy12AbCd.js.gz'),
    zlib.gzipSync(Buffer.from(vendor), { level: 9 }),
  );
  // A PNG's bytes are already compressed: random bytes stand in for them.
  fs.writeFileSync(path.join(root, 'assets', 'photo-Zq81kLmN.png'), Buffer.alloc(8192, 7));
  return root;
}

describe('serving the web app and the API', () => {
  let subject: Awaited<ReturnType<typeof testApp>>;
  let root: string;
  beforeAll(async () => {
    root = builtWebApp();
    subject = await testApp({ webRoot: root });
  });
  afterAll(async () => {
    await subject.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lets browsers keep hashed assets for a year without asking again', async () => {
    const response = await subject.app.inject({ url: '/assets/index-B2x9k1Qa.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('has browsers ask again for index.html, at / or as the answer to a client-side route', async () => {
    for (const url of ['/', '/index.html', '/mail/inbox']) {
      const response = await subject.app.inject({ url, headers: { accept: 'text/html' } });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain('<div id="app">');
      expect(response.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('has browsers ask again for the service worker and the other unhashed files', async () => {
    const worker = await subject.app.inject({ url: '/sw.js' });
    expect(worker.headers['cache-control']).toBe('no-cache');
    const icon = await subject.app.inject({ url: '/icon.svg' });
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('compresses the app’s scripts with brotli when the browser accepts it', async () => {
    const response = await subject.app.inject({
      url: '/assets/index-B2x9k1Qa.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(response.headers['content-encoding']).toBe('br');
    const original = fs.readFileSync(path.join(root, 'assets', 'index-B2x9k1Qa.js'));
    expect(response.rawPayload.length).toBeLessThan(original.length / 2);
    expect(zlib.brotliDecompressSync(response.rawPayload).equals(original)).toBe(true);
  });

  it('sends the copy the build compressed ahead, as it is, when there is one', async () => {
    const ahead = fs.readFileSync(path.join(root, 'assets', 'vendor-Xy12AbCd.js.br'));
    const response = await subject.app.inject({
      url: '/assets/vendor-Xy12AbCd.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toContain('javascript');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.rawPayload.equals(ahead)).toBe(true);
    const gzip = await subject.app.inject({
      url: '/assets/vendor-Xy12AbCd.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.rawPayload).toString()).toBe(
      zlib.brotliDecompressSync(ahead).toString(),
    );
    const plain = await subject.app.inject({ url: '/assets/vendor-Xy12AbCd.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(zlib.brotliDecompressSync(ahead).toString());
  });

  it('compresses API JSON with gzip, and the client reads the same JSON back', async () => {
    const plain = await subject.app.inject({ url: '/api/docs/json' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const response = await subject.app.inject({
      url: '/api/docs/json',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(JSON.parse(zlib.gunzipSync(response.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  it('sends small answers and already-compressed files as they are', async () => {
    const health = await subject.app.inject({
      url: '/healthz',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(health.json()).toEqual({ status: 'ok' });
    const image = await subject.app.inject({
      url: '/assets/photo-Zq81kLmN.png',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.rawPayload.length).toBe(8192);
  });
});
