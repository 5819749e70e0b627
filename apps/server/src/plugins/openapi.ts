import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** OpenAPI built from the routes' schemas, browsable at /api/docs (JSON at /api/docs/json). */
export const openApiPlugin = fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Popgate API',
        description:
          'Read POP3 mailboxes through Popgate. Cookie sessions; every POST, PATCH and DELETE carries the x-csrf-token header (GET /api/auth/csrf).',
        version: '1',
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'popgate_session' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
});
