import { vi } from 'vitest';

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | Error;
type Handler = (call: Call) => Reply | Promise<Reply>;

/**
 * A fetch that answers like the Popgate API: routes are "METHOD /path" (the query is ignored
 * unless the route has one), the CSRF token comes from /api/auth/csrf, and every call is kept.
 */
export function fakeApi(routes: Record<string, Handler | Reply> = {}) {
  const calls: Call[] = [];
  const table = new Map(Object.entries(routes));
  const fetcher = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method, url, headers, body };
    calls.push(call);
    const path = url.split('?')[0];
    const route =
      table.get(`${method} ${url}`) ??
      table.get(`${method} ${path}`) ??
      (method === 'GET' && path === '/api/auth/csrf' ? { body: { token: 'csrf-1' } } : undefined);
    if (!route) {
      return json(404, { error: { code: 'NOT_FOUND', message: `No route for ${method} ${path}` } });
    }
    const reply = typeof route === 'function' ? await route(call) : route;
    if (reply instanceof Error) throw reply;
    return json(reply.status ?? 200, reply.body, reply.headers);
  });
  return {
    fetcher,
    calls,
    on(route: string, handler: Handler | Reply) {
      table.set(route, handler);
    },
    /** Calls other than the CSRF token's. */
    apiCalls: () => calls.filter((call) => call.url !== '/api/auth/csrf'),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  if (status === 204 || body === undefined) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Lets pending promises and timers of zero settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
