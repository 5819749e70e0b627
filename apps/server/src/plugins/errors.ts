import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** An error with the HTTP status and stable code the API answers with. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what = 'Not found') => new HttpError(404, 'NOT_FOUND', what);

/**
 * Every error leaves as `{error: {code, message}}` with its status: validation errors name the
 * field, unexpected ones are logged and say nothing about internals.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ error: { code: error.code, message: error.message } });
    }
    if (error.validation) {
      const message = error.message.replace(
        /^(body|querystring|params|headers)\/?/,
        (_m, where: string) => `${where}/`,
      );
      return reply.code(400).send({ error: { code: 'VALIDATION', message } });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({
        error: { code: 'INTERNAL', message: 'Something went wrong on the server; it was logged' },
      });
    }
    return reply
      .code(status)
      .send({ error: { code: error.code ?? 'BAD_REQUEST', message: error.message } });
  });
});
