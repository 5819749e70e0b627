import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../src/domain-errors';
import {
  conflict,
  invalid,
  notFound,
  rateLimited,
  refused,
  unprocessable,
} from '../src/domain-errors';
import { errorsPlugin } from '../src/plugins/errors';

async function answerTo(error: DomainError) {
  const app = Fastify();
  await app.register(errorsPlugin);
  app.get('/fails', async () => {
    throw error;
  });
  const response = await app.inject({ url: '/fails' });
  await app.close();
  return response;
}

describe('domain errors', () => {
  it.each([
    [notFound('No such message'), 404, 'NOT_FOUND'],
    [invalid('VALIDATION', 'body/x is wrong'), 400, 'VALIDATION'],
    [refused('PORT_NOT_ALLOWED', 'Port 25 is not allowed'), 403, 'PORT_NOT_ALLOWED'],
    [conflict('EMAIL_TAKEN', 'Taken'), 409, 'EMAIL_TAKEN'],
    [unprocessable('MESSAGE_TOO_LARGE', 'Too large'), 422, 'MESSAGE_TOO_LARGE'],
  ])('answer %s with its status and code', async (error, status, code) => {
    const response = await answerTo(error);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error: { code, message: error.message } });
  });

  it('say when to try again when rate limited', async () => {
    const response = await answerTo(rateLimited('Too many tests', 42));
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('42');
    expect(response.json().error).toEqual({
      code: 'RATE_LIMITED',
      message: 'Too many tests; try again in 42 s',
    });
  });
});
