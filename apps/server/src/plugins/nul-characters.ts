import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from './errors';

/** Where in a parsed body or query a NUL character hides (in a value or a name), or null. */
function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (!value || typeof value !== 'object' || depth > 32) return null;
  for (const [key, child] of Object.entries(value)) {
    const where = `${path}/${key}`;
    if (key.includes('\0')) return where;
    const found = nulPath(child, where, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * PostgreSQL cannot store a NUL character in text: a request carrying one is refused up front
 * with the field named, instead of failing deep inside with a 500.
 */
export const nulCharactersPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const where = nulPath(request.query, 'querystring') ?? nulPath(request.body, 'body');
    if (where) {
      throw new HttpError(400, 'VALIDATION', `${where} must not contain a NUL character`);
    }
  });
});
