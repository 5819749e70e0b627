import type { Page } from 'playwright-core';

export interface PageApiReply {
  status: number;
  /** The reply parsed as JSON, or its text when it is not JSON. */
  body: unknown;
}

/** A request from the signed-in page, as the app makes it: same origin, cookie, CSRF token. */
export async function pageApi(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<PageApiReply> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const { token } = await (await fetch('/api/auth/csrf')).json();
      const response = await fetch(path, {
        method,
        headers: {
          'x-csrf-token': token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (a CSV export): the text as it is.
      }
      return { status: response.status, body: parsed };
    },
    { method, path, body },
  );
}
