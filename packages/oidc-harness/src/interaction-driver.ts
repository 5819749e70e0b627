export interface AuthorizeOptions {
  /** The login to type. Default: the harness's first user. */
  username?: string;
  /** Click "Cancel" on the consent page instead of "Continue" (the provider answers access_denied). */
  deny?: boolean;
  /** Cookies the browser already holds (e.g. a provider session from an earlier sign-in). */
  cookies?: CookieJar;
}

/** The few cookie rules the provider's pages need: names are unique enough to ignore paths. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', date = ''] = attribute.split('=');
        return key.trim().toLowerCase() === 'expires' && Date.parse(date) <= Date.now();
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const MAX_STEPS = 20;

function formOf(html: string, base: string): { action: URL; fields: Map<string, string> } | null {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const fields = new Map<string, string>();
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields.set(name, value);
  }
  return { action: new URL((form[1] ?? '').replaceAll('&amp;', '&'), base), fields };
}

/**
 * Drives oidc-provider's development sign-in and consent pages with fetch: follows redirects
 * by hand (keeping cookies), fills the login form, presses Continue, and stops at the first
 * redirect that leaves the provider (the client's redirect URI), which it answers unfollowed.
 */
export async function completeAuthorization(
  authorizationUrl: string,
  options: AuthorizeOptions,
): Promise<URL> {
  const jar = options.cookies ?? new CookieJar();
  const provider = new URL(authorizationUrl).origin;
  let request: { url: URL; init: RequestInit } = {
    url: new URL(authorizationUrl),
    init: { method: 'GET' },
  };
  for (let step = 0; step < MAX_STEPS; step++) {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: 'manual',
      headers: { ...(request.init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, request.url);
      if (next.origin !== provider) return next;
      request = { url: next, init: { method: 'GET' } };
      continue;
    }
    const html = await response.text();
    const form = formOf(html, request.url.href);
    if (response.status !== 200 || !form) {
      throw new Error(`the provider answered ${response.status} without a form: ${html}`);
    }
    const prompt = form.fields.get('prompt');
    if (prompt === 'login') {
      form.fields.set('login', options.username ?? '');
      form.fields.set('password', 'any');
    }
    let action = form.action;
    if (prompt === 'consent' && options.deny) {
      // The consent page's Cancel link is the interaction's abort URL.
      action = new URL(`${form.action.pathname}/abort`, form.action);
      request = { url: action, init: { method: 'GET' } };
      continue;
    }
    request = {
      url: action,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([...form.fields]).toString(),
      },
    };
  }
  throw new Error(`no redirect back to the client after ${MAX_STEPS} steps`);
}
