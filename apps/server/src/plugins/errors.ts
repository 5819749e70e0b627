import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type DomainErrorKind } from '../domain-errors';

/** The one place where the domain's kinds of failure become HTTP statuses. */
const STATUS: Record<DomainErrorKind, number> = {
  not_found: 404,
  invalid: 400,
  refused: 403,
  conflict: 409,
  rate_limited: 429,
  unprocessable: 422,
  too_large: 413,
};

/**
 * An error with the HTTP status and stable code the API answers with: for routes and plugins
 * (CSRF, authentication); domain code throws a DomainError instead.
 */
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
  app.setErrorHandler((error: FastifyError | HttpError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.retryAfterSeconds !== undefined) {
        reply.header('retry-after', String(error.retryAfterSeconds));
      }
      return reply.code(STATUS[error.kind]).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.problems && { problems: error.problems }),
          ...(error.position !== undefined && { position: error.position }),
        },
      });
    }
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ error: { code: error.code, message: error.message } });
    }
    if (error.validation) {
      return reply
        .code(400)
        .send({ error: { code: 'VALIDATION', message: validationMessage(error) } });
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

/** What a value of a string format is, in words ("is not an email address"). */
const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address (name@example.com)',
  uuid: 'an id Popgate gave',
  'date-time': 'a date and time (2026-12-07T09:30:00Z)',
  uri: 'a web address',
};

/**
 * The field and what is wrong with it: "body/role is not a known field", "body/email is not an
 * email address (name@example.com)", otherwise ajv's own words ("body/password must NOT have fewer
 * than 10 characters").
 */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'body';
  if (first?.keyword === 'additionalProperties') {
    const field = (first.params as { additionalProperty?: string }).additionalProperty;
    return `${where}${first.instancePath}/${field} is not a known field`;
  }
  const format = first?.keyword === 'format' && (first.params as { format?: string }).format;
  if (format && FORMAT_WORDS[format]) {
    return `${where}${first.instancePath} is not ${FORMAT_WORDS[format]}`;
  }
  return error.message;
}
