import { randomInt } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

// Test clients take addresses from 198.18.0.0/15 (set aside for benchmarking), each test file
// from a random starting point.
let lastAddress = randomInt(0, 120_000);
const nextAddress = () => {
  lastAddress = (lastAddress + 1) % 131_072;
  return `198.${18 + (lastAddress >> 16)}.${(lastAddress >> 8) & 255}.${lastAddress & 255}`;
};

/**
 * A browser-like client for app.inject: keeps cookies, fetches and sends the CSRF token on
 * every state-changing request, speaks JSON.
 */
export class ApiClient {
  private readonly cookies = new Map<string, string>();
  private csrf: string | undefined;

  private readonly remoteAddress: string;

  /**
   * `remoteAddress`: the address the requests come from. Unless told, each client is a browser
   * at an address of its own (as different people are), so that the per-address limits of one
   * test's clients do not spill into another's on the shared database.
   */
  constructor(
    private readonly app: FastifyInstance,
    options: { remoteAddress?: string } = {},
  ) {
    this.remoteAddress = options.remoteAddress ?? nextAddress();
  }

  private remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{
      name: string;
      value: string;
      expires?: Date;
    }>) {
      // A new CSRF cookie (at sign-in and sign-out) makes the token learned before it worthless.
      if (cookie.name === 'popgate_csrf') this.csrf = undefined;
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const unsafe = method !== 'GET' && method !== 'HEAD';
    if (unsafe && !this.csrf) {
      const response = await this.app.inject({
        method: 'GET',
        url: '/api/auth/csrf',
        headers: { cookie: this.cookieHeader },
        remoteAddress: this.remoteAddress,
      });
      this.remember(response);
      this.csrf = response.json<{ token: string }>().token;
    }
    const response = await this.app.inject({
      method,
      url,
      remoteAddress: this.remoteAddress,
      headers: {
        cookie: this.cookieHeader,
        ...(unsafe && { 'x-csrf-token': this.csrf! }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    this.remember(response);
    return response;
  }

  get = (url: string, headers?: Record<string, string>) =>
    this.request('GET', url, undefined, headers);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);

  /** Signs up (or in, when the user exists) and returns the user. */
  async signUp(email: string, password = 'correct horse battery') {
    const response = await this.post('/api/auth/signup', { email, password });
    if (response.statusCode !== 201)
      throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
    return response.json<{ id: string; email: string; role: 'admin' | 'user' }>();
  }
}
