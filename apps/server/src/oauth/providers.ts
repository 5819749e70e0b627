import * as client from 'openid-client';
import type { OAuthConfig } from '../config';
import { refused } from '../domain-errors';

export const PROVIDER_NAMES = ['google', 'microsoft', 'generic'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** One configured provider: how to send a user there and how to talk to its token endpoint. */
export interface OAuthProvider {
  name: ProviderName;
  /** What the user is asked to sign in to ("Sign in to Google again"). */
  label: string;
  scopes: string[];
  /** Extra authorization request parameters the provider needs to issue a refresh token. */
  authorizationParams: Record<string, string>;
  /**
   * The provider's own SMTP servers, which take its tokens: a grant may send them there from the
   * start. None for the generic provider (its SMTP server is chosen by the user or a preset).
   */
  smtpHosts: readonly string[];
  /** openid-client's view of the provider; found once, kept while it works. */
  configuration(): Promise<client.Configuration>;
}

export const GOOGLE_SCOPES = ['https://mail.google.com/'];
export const MICROSOFT_SCOPES = [
  'https://outlook.office.com/POP.AccessAsUser.All',
  'https://outlook.office.com/SMTP.Send',
  'offline_access',
];

/**
 * The providers the operator configured. Google's and Microsoft's endpoints are fixed here rather
 * than discovered: the mail scopes carry no ID token to check, and Microsoft's multi-tenant
 * discovery names an issuer that differs from the URL it is read from. The generic provider is
 * found by discovery. These URLs come from the operator, not from users: they are trusted like the
 * rest of the configuration (plain http only where private networks are allowed, for tests and
 * providers on the operator's own network).
 */
export class OAuthProviders {
  readonly #providers = new Map<ProviderName, OAuthProvider>();

  constructor(config: OAuthConfig, options: { allowInsecure: boolean }) {
    const timeout = Math.max(1, Math.round(config.timeoutMs / 1000));
    const fixed = (
      server: client.ServerMetadata,
      clientId: string,
      secret: string,
    ): (() => Promise<client.Configuration>) => {
      const configuration = new client.Configuration(
        server,
        clientId,
        { client_secret: secret },
        client.ClientSecretPost(secret),
      );
      configuration.timeout = timeout;
      return async () => configuration;
    };
    if (config.google) {
      this.#providers.set('google', {
        name: 'google',
        label: 'Google',
        scopes: GOOGLE_SCOPES,
        // Google issues a refresh token only for offline access, and again only with consent.
        authorizationParams: { access_type: 'offline', prompt: 'consent' },
        smtpHosts: ['smtp.gmail.com'],
        configuration: fixed(
          {
            issuer: 'https://accounts.google.com',
            authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
            token_endpoint: 'https://oauth2.googleapis.com/token',
            revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
          },
          config.google.clientId,
          config.google.clientSecret,
        ),
      });
    }
    if (config.microsoft) {
      const base = `https://login.microsoftonline.com/${config.microsoft.tenant}/oauth2/v2.0`;
      this.#providers.set('microsoft', {
        name: 'microsoft',
        label: 'Microsoft',
        scopes: MICROSOFT_SCOPES,
        authorizationParams: {},
        // Outlook.com's and Microsoft 365's submission servers.
        smtpHosts: ['smtp-mail.outlook.com', 'smtp.office365.com'],
        configuration: fixed(
          {
            issuer: `https://login.microsoftonline.com/${config.microsoft.tenant}/v2.0`,
            authorization_endpoint: `${base}/authorize`,
            token_endpoint: `${base}/token`,
          },
          config.microsoft.clientId,
          config.microsoft.clientSecret,
        ),
      });
    }
    if (config.generic) {
      const generic = config.generic;
      let found: Promise<client.Configuration> | undefined;
      this.#providers.set('generic', {
        name: 'generic',
        label: new URL(generic.issuer).host,
        scopes: generic.scopes,
        // OpenID Connect honours offline_access only when consent is asked for.
        authorizationParams: generic.scopes.includes('offline_access') ? { prompt: 'consent' } : {},
        smtpHosts: [],
        configuration: () => {
          found ??= client
            .discovery(
              new URL(generic.issuer),
              generic.clientId,
              { client_secret: generic.clientSecret },
              client.ClientSecretPost(generic.clientSecret),
              {
                timeout,
                ...(options.allowInsecure && { execute: [client.allowInsecureRequests] }),
              },
            )
            .catch((error: unknown) => {
              // Try again next time: the provider may only have been down.
              found = undefined;
              throw error;
            });
          return found;
        },
      });
    }
  }

  /** Names of the configured providers, in a fixed order. */
  list(): OAuthProvider[] {
    return PROVIDER_NAMES.flatMap((name) => this.#providers.get(name) ?? []);
  }

  /** The named provider, or a refusal naming what is configured. */
  get(name: string): OAuthProvider {
    const provider = this.#providers.get(name as ProviderName);
    if (!provider) {
      throw refused(
        'OAUTH_PROVIDER_NOT_CONFIGURED',
        `Sign-in with ${name} is not set up on this Popgate; ask its operator`,
      );
    }
    return provider;
  }

  /** The provider's label for messages, also for a name no longer configured. */
  label(name: string): string {
    return (
      this.#providers.get(name as ProviderName)?.label ??
      ({ google: 'Google', microsoft: 'Microsoft' } as Record<string, string>)[name] ??
      name
    );
  }
}
