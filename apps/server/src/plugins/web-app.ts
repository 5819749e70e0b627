import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Vite's content-hashed build output: a new build gives new names, so a copy never goes stale. */
const HASHED_ASSETS = `${path.sep}assets${path.sep}`;

/**
 * How long a browser may keep a file: hashed assets a year without asking again; everything else
 * (index.html, the service worker, icons, the manifest) only after checking it is still the
 * same, as an old index.html would point at assets a new build no longer has.
 */
export function cacheControlFor(root: string, file: string): string {
  const relative = path.relative(root, file);
  if (relative.startsWith(HASHED_ASSETS.slice(1))) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/**
 * Serves the built single-page app at `/`; unknown non-API paths get index.html so that
 * client-side routes survive a reload.
 */
export const webAppPlugin = fp(async (app: FastifyInstance, options: { root: string }) => {
  const index = path.join(options.root, 'index.html');
  if (!fs.existsSync(index)) {
    app.log.warn(
      { root: options.root },
      'the web app is not built: run `npm start` or `pnpm -F @popgate/web build`',
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: options.root,
    wildcard: false,
    index: ['index.html'],
    // The build's .br and .gz copies (vite.config.ts), when the browser takes them.
    preCompressed: true,
    setHeaders: (reply, file) => reply.header('cache-control', cacheControlFor(options.root, file)),
  });
  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url === '/api';
    if (request.method === 'GET' && !isApi && request.headers.accept?.includes('text/html')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.code(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `No route for ${request.method} ${request.url.split('?')[0]}`,
      },
    });
  });
});
