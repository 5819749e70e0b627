import type { CsrfReply, ErrorReply } from '@popgate/contracts';

/**
 * The contracts' CSRF_HEADER. The app imports only types from @popgate/contracts so that the
 * schema builder stays out of the browser bundle; the contracts test keeps the two equal.
 */
export const CSRF_HEADER = 'x-csrf-token';

/** An API failure: the HTTP status (0 when the network failed), a stable code and a message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    /** The rest of the error body (e.g. a draft's `problems`), when the server sent more. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the request never reached the server (offline, DNS, server down). */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** A 401 is an answer here (who am I, sign-in), not a reason to leave for the sign-in page. */
  allowUnauthorized?: boolean;
  signal?: AbortSignal;
  /** How to read a successful reply (default json). */
  as?: 'json' | 'text' | 'blob';
  /** Let the request outlive the page (a last autosave while the tab closes). */
  keepalive?: boolean;
}

type UnauthorizedHandler = () => void;

/**
 * The one way the app talks to the API: same origin, JSON, the CSRF token on every state-changing
 * request, errors turned into {@link ApiError}, and a 401 sends the user to sign in.
 */
export class ApiClient {
  private csrf: Promise<string> | null = null;
  private onUnauthorized: UnauthorizedHandler = () => {};

  constructor(private readonly fetcher: typeof fetch = (...args) => fetch(...args)) {}

  setUnauthorizedHandler(handler: UnauthorizedHandler): void {
    this.onUnauthorized = handler;
  }

  /** Forgets the CSRF token (a new one is asked for on the next state-changing request). */
  resetCsrf(): void {
    this.csrf = null;
  }

  /** The CSRF token, for requests this client cannot make itself (an upload with progress). */
  csrfToken(): Promise<string> {
    this.csrf ??= this.send<CsrfReply>('GET', '/api/auth/csrf', {})
      .then((reply) => reply.token)
      .catch((error: unknown) => {
        this.csrf = null;
        throw error;
      });
    return this.csrf;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  patch<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.send<T>(method, path, options);
    } catch (error) {
      // A token that the server no longer knows (its cookie expired): get a new one, once.
      if (error instanceof ApiError && error.status === 403 && error.code === 'CSRF') {
        this.resetCsrf();
        return this.send<T>(method, path, options);
      }
      throw error;
    }
  }

  private async send<T>(method: Method, path: string, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') headers[CSRF_HEADER] = await this.csrfToken();
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await this.fetcher(withQuery(path, options.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: options.signal,
        ...(options.keepalive ? { keepalive: true } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached; check your connection');
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (response.status === 401 && !options.allowUnauthorized) this.onUnauthorized();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    if (options.as === 'text') return (await response.text()) as T;
    if (options.as === 'blob') return (await response.blob()) as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `The server answered ${response.status}`;
  let details: Record<string, unknown> = {};
  try {
    const body = (await response.json()) as Partial<ErrorReply>;
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
    if (body?.error && typeof body.error === 'object') {
      const { code: _code, message: _message, ...rest } = body.error as Record<string, unknown>;
      details = rest;
    }
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    if (code.startsWith('HTTP_')) message = 'The server is not available right now; try again soon';
  }
  return new ApiError(response.status, code, message, retryAfterSeconds, details);
}

/** The app's client. Tests build their own with a fake fetch. */
export const api = new ApiClient();
