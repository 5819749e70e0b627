import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from './errors';

const TAKES_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Where in a request schema an object accepts properties it does not name, or null. */
export function laxObjectPath(schema: unknown, path: string): string | null {
  if (!schema || typeof schema !== 'object') return null;
  const node = schema as Record<string, unknown>;
  const isObject = node.type === 'object' || node.properties !== undefined;
  if (isObject && node.additionalProperties !== false) return path;
  if (node.properties && typeof node.properties === 'object') {
    for (const [name, child] of Object.entries(node.properties)) {
      const found = laxObjectPath(child, `${path}/${name}`);
      if (found) return found;
    }
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf'] as const) {
    const children = node[key];
    const list = Array.isArray(children) ? children : children ? [children] : [];
    for (const child of list) {
      const found = laxObjectPath(child, path);
      if (found) return found;
    }
  }
  return null;
}

function methods(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? route.method : [route.method];
}

/**
 * Every request schema names all the properties it accepts: a route whose body or query schema
 * lets unknown properties through is refused when it is registered, so the app does not start
 * with it. A state-changing route without a body schema takes no body: one with fields is
 * answered 400 instead of being silently ignored.
 */
export const strictSchemasPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const schema = route.schema ?? {};
    // Params come from the route's own pattern: a request cannot add any.
    for (const part of ['body', 'querystring'] as const) {
      const lax = laxObjectPath(schema[part], part);
      if (lax) {
        throw new Error(
          `${methods(route).join(',')} ${route.url}: ${lax} accepts unknown properties (set additionalProperties: false)`,
        );
      }
    }
    if (schema.body || !methods(route).some((method) => TAKES_BODY.has(method))) return;
    const refuseBody = async (request: { body: unknown }) => {
      const body = request.body;
      if (body === undefined || body === null || body === '') return;
      const fields = typeof body === 'object' ? Object.keys(body) : [];
      if (typeof body === 'object' && fields.length === 0) return;
      const first = fields[0];
      throw new HttpError(
        400,
        'VALIDATION',
        first ? `body/${first} is not a known field` : 'This request takes no body',
      );
    };
    const existing = route.preValidation;
    route.preValidation = existing
      ? [...(Array.isArray(existing) ? existing : [existing]), refuseBody]
      : refuseBody;
  });
});
