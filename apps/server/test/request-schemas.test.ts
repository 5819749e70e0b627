import { randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laxObjectPath, strictSchemasPlugin } from '../src/plugins/strict-schemas';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

interface Operation {
  method: string;
  path: string;
  bodySchema: unknown;
  /** The body is a file (an upload): any bytes are a valid body. */
  fileBody: boolean;
  hasQuery: boolean;
  requiresQuery: boolean;
}

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;
let operations: Operation[];

const UNSAFE = ['post', 'put', 'patch', 'delete'];

beforeAll(async () => {
  // The first user to sign up is the admin, who may call every route.
  database = await createMigratedDatabase('popgate_test_schemas');
  subject = await testApp({ databaseUrl: database.url });
  admin = new ApiClient(subject.app);
  await admin.signUp('root@example.test');
  const doc = (await subject.app.inject({ url: '/api/docs/json' })).json<{
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: Array<{ in: string; required?: boolean }>;
          requestBody?: { content: Record<string, { schema: unknown }> };
        }
      >
    >;
  }>();
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method,
      path,
      bodySchema: operation.requestBody?.content['application/json']?.schema,
      fileBody: operation.requestBody?.content['application/octet-stream'] !== undefined,
      hasQuery: (operation.parameters ?? []).some((parameter) => parameter.in === 'query'),
      requiresQuery: (operation.parameters ?? []).some(
        (parameter) => parameter.in === 'query' && parameter.required,
      ),
    })),
  );
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

/** A property name no schema declares: random letters, sometimes shaped like a column. */
function unknownName(): string {
  const shapes = [
    'passwordHash',
    'id',
    'userId',
    'role',
    'createdAt',
    '__proto__x',
    'constructor_',
  ];
  const base = shapes[randomBytes(1)[0]! % shapes.length]!;
  return `${base}${randomBytes(3).toString('hex')}`;
}

// Ids are uuids; a parameter with fixed values (the OAuth provider) gets one of them, a part's
// index a number.
const concrete = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_whole, name: string) =>
    name === 'provider' ? 'generic' : name === 'index' ? '0' : randomUUID(),
  );

describe('request schemas', () => {
  it('are found for the routes that take a body or a query', () => {
    expect(operations.filter((op) => op.bodySchema).length).toBeGreaterThan(10);
    expect(operations.filter((op) => op.hasQuery).length).toBeGreaterThan(5);
  });

  it('name every property they accept, at every depth', () => {
    const lax = operations
      .filter((op) => op.bodySchema)
      .map((op) => [op.method, op.path, laxObjectPath(op.bodySchema, 'body')])
      .filter(([, , where]) => where !== null);
    expect(lax).toEqual([]);
  });

  it('refuse a body with an unknown property on every state-changing route (200 random names)', async () => {
    const unsafe = operations.filter((op) => UNSAFE.includes(op.method) && !op.fileBody);
    expect(unsafe.length).toBeGreaterThan(10);
    for (let round = 0; round < 200; round++) {
      const op = unsafe[round % unsafe.length]!;
      const name = unknownName();
      const response = await admin.request(op.method.toUpperCase() as never, concrete(op.path), {
        [name]: 1,
      });
      expect(response.statusCode, `${op.method} ${op.path} with ${name}`).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION');
      // A route whose body fields are all optional can only refuse it for the unknown field.
      if (!op.bodySchema || !(op.bodySchema as { required?: unknown[] }).required?.length) {
        expect(response.json().error.message).toContain(`body/${name} is not a known field`);
      }
    }
  });

  it('refuse a query with an unknown parameter on every route that takes one', async () => {
    for (const op of operations.filter((candidate) => candidate.hasQuery)) {
      const name = unknownName();
      const response = await admin.request(
        op.method.toUpperCase() as never,
        `${concrete(op.path)}?${name}=1`,
        UNSAFE.includes(op.method) ? {} : undefined,
      );
      expect(response.statusCode, `${op.method} ${op.path}?${name}`).toBe(400);
      if (!op.requiresQuery) {
        expect(response.json().error.message).toContain(`${name} is not a known field`);
      }
    }
  });

  it('keep the app from starting with a route that lets unknown properties through', async () => {
    const app = Fastify();
    await app.register(strictSchemasPlugin);
    expect(() =>
      app.patch(
        '/api/lax',
        { schema: { body: { type: 'object', properties: { role: { type: 'string' } } } } },
        async () => ({}),
      ),
    ).toThrow(/body accepts unknown properties/);
    expect(() =>
      app.patch(
        '/api/nested',
        {
          schema: {
            body: {
              type: 'object',
              additionalProperties: false,
              properties: { policy: { type: 'object', properties: {} } },
            },
          },
        },
        async () => ({}),
      ),
    ).toThrow(/body\/policy accepts unknown properties/);
    await app.close();
  });
});
