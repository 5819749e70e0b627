import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { completeAuthorization, type AuthorizeOptions } from './interaction-driver';
import { MemoryStore } from './memory-store';

export interface OidcTestUser {
  /** The login typed into the sign-in form; also the subject (`sub`). */
  username: string;
  email?: string;
}

export interface StartOidcProviderOptions {
  /** Where the test client may be sent back to (the app's callback URL). */
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
  /** Default: one user `alice` <alice@example.test>. */
  users?: OidcTestUser[];
  /** Lifetime of an access token. Default 300 s; a few seconds for expiry tests. */
  accessTokenTtlSeconds?: number;
}

export interface TokenEndpointCounts {
  authorizationCode: number;
  refreshToken: number;
  /** Token requests the provider refused (invalid_grant and the like). */
  errors: number;
  /** Grants revoked at the revocation endpoint (RFC 7009). */
  revocations: number;
}

export interface OidcProviderHarness {
  /** http://127.0.0.1:<port>; its discovery document is at /.well-known/openid-configuration. */
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  users: OidcTestUser[];
  /** A second confidential client for a resource server (Dovecot) to introspect tokens with. */
  introspection: {
    url: string;
    clientId: string;
    clientSecret: string;
    /** `url` with the client's credentials as userinfo, as Dovecot's introspection_url wants. */
    urlWithCredentials: string;
  };
  tokenEndpoint: string;
  revocationEndpoint: string;
  /** Successful grants and refusals at the token endpoint since start (or `resetCounts`). */
  counts: TokenEndpointCounts;
  resetCounts(): void;
  /** Changes the lifetime of access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  /** Holds every token endpoint answer this long (to widen race windows). */
  setTokenEndpointDelay(ms: number): void;
  /**
   * Follows an authorization URL through sign-in and consent as a browser would, and answers
   * the URL the provider sends the browser back to (with `code` and `state`, or `error`).
   */
  authorize(authorizationUrl: string, options?: AuthorizeOptions): Promise<URL>;
  /** Revokes every grant the user gave (their tokens stop working); answers how many. */
  revokeGrants(username: string): number;
  stop(): Promise<void>;
}

const secret = () => randomBytes(16).toString('hex');

/** Starts oidc-provider in this process on a random 127.0.0.1 port. */
export async function startOidcProvider(
  options: StartOidcProviderOptions,
): Promise<OidcProviderHarness> {
  const users = options.users ?? [{ username: 'alice', email: 'alice@example.test' }];
  const clientId = options.clientId ?? 'popgate-test';
  const clientSecret = options.clientSecret ?? secret();
  const introspector = { clientId: 'resource-server', clientSecret: secret() };
  let accessTokenTtl = options.accessTokenTtlSeconds ?? 300;
  let tokenDelayMs = 0;
  const counts: TokenEndpointCounts = {
    authorizationCode: 0,
    refreshToken: 0,
    errors: 0,
    revocations: 0,
  };

  // The issuer names the port, so listen first and attach the provider after.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const store = new MemoryStore();
  const userByName = new Map(users.map((user) => [user.username, user]));

  const configuration: Configuration = {
    adapter: store.adapterFor,
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: introspector.clientId,
        client_secret: introspector.clientSecret,
        redirect_uris: [],
        grant_types: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: [secret()] },
    jwks: {
      keys: [
        {
          ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
            format: 'jwk',
          }),
          alg: 'RS256',
          use: 'sig',
        },
      ],
    },
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    findAccount: (_ctx, sub) => {
      const user = userByName.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email: user.email, preferred_username: user.username }),
      };
    },
    // Introspection answers these beside `sub`: a resource server matches the mailbox name.
    extraTokenClaims: (_ctx, token) => {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const user = userByName.get(token.accountId);
      return { username: user?.username, email: user?.email };
    },
    features: {
      devInteractions: { enabled: true },
      // The resource server may read any token; a client only its own.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          client.clientId === introspector.clientId || client.clientId === token.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId,
      },
    },
    pkce: { required: () => true },
    // Like Google's access_type=offline: a refresh token with every code, consent or not.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Every refresh answers a new refresh token and consumes the old one; presenting a consumed
    // one revokes the whole grant (reuse detection), as strict real providers do.
    rotateRefreshToken: true,
    ttl: {
      AccessToken: () => accessTokenTtl,
      AuthorizationCode: 60,
      RefreshToken: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
      Session: 60 * 60,
      Interaction: 10 * 60,
      IdToken: 60 * 60,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>error</title><pre>${JSON.stringify(out)
        .replaceAll('&', '&amp;')
        .replaceAll('<', '&lt;')}</pre>`;
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.use(async (ctx, next) => {
    if (ctx.path === '/token' && tokenDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
    }
    await next();
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === 'authorization_code') counts.authorizationCode += 1;
    if (grantType === 'refresh_token') counts.refreshToken += 1;
  });
  provider.on('grant.error', () => {
    counts.errors += 1;
  });
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.route === 'revocation') counts.revocations += 1;
  });
  // Expected refusals would otherwise be printed by Koa as server errors.
  provider.on('server_error', () => {});
  const callback = provider.callback();
  handler = (req, res) => void callback(req, res);

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const introspectionUrl = `${issuer}/token/introspection`;
  return {
    issuer,
    port,
    clientId,
    clientSecret,
    users,
    introspection: {
      url: introspectionUrl,
      ...introspector,
      urlWithCredentials: `http://${introspector.clientId}:${introspector.clientSecret}@127.0.0.1:${port}/token/introspection`,
    },
    tokenEndpoint: `${issuer}/token`,
    revocationEndpoint: `${issuer}/token/revocation`,
    counts,
    resetCounts: () =>
      Object.assign(counts, { authorizationCode: 0, refreshToken: 0, errors: 0, revocations: 0 }),
    setAccessTokenTtl: (seconds) => {
      accessTokenTtl = seconds;
    },
    setTokenEndpointDelay: (ms) => {
      tokenDelayMs = ms;
    },
    authorize: (authorizationUrl, authorizeOptions) =>
      completeAuthorization(authorizationUrl, {
        username: users[0]?.username,
        ...authorizeOptions,
      }),
    revokeGrants: (username) => store.revokeGrantsOf(username),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
