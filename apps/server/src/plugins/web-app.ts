import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

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
  await app.register(fastifyStatic, { root: options.root, wildcard: false, index: ['index.html'] });
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
