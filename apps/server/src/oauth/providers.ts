import * as client from 'openid-client';
import type { GenericOAuthConfig, OAuthClientConfig, OAuthConfig } from '../config';
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
  /** Microsoft's configured tenant: the issuers its sign-ins may name depend on it. */
  microsoftTenant?: string;
  /** openid-client's view of the provider; found once, kept while it works. */
  configuration(): Promise<client.Configuration>;
}

/** What one provider is set up with, from the environment or by an admin. */
export type ProviderSettings =
  | ({ name: 'google' } & OAuthClientConfig)
  | ({ name: 'microsoft'; tenant: string } & OAuthClientConfig)
  | ({ name: 'generic' } & GenericOAuthConfig);

/**
 * An admin's setting for a provider: it replaces the environment's; `settings` null switches the
 * provider off. `version` changes with every change (the provider is built again).
 */
export interface ProviderOverride {
  name: ProviderName;
  version: string;
  settings: ProviderSettings | null;
}

export const GOOGLE_SCOPES = ['https://mail.google.com/'];
export const MICROSOFT_SCOPES = [
  // The ID token names who signed in (and the tenant, whose issuer it must come from).
  'openid',
  'email',
  'profile',
  'https://outlook.office.com/POP.AccessAsUser.All',
  'https://outlook.office.com/SMTP.Send',
  'offline_access',
];
export const DEFAULT_GENERIC_SCOPES = ['openid', 'email', 'offline_access'];

/** Microsoft's authority for a tenant: discovery reads <authority>/.well-known/openid-configuration. */
export const microsoftAuthority = (tenant: string) =>
  new URL(`https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0`);

export interface OAuthProvidersOptions {
  /** Plain http to providers (tests, providers on the operator's own network). */
  allowInsecure: boolean;
  timeoutMs: number;
  /** The admin's settings, read each time a provider is needed: a change applies at once. */
  overrides?: () => Promise<ProviderOverride[]>;
  /** How requests reach the providers (default: fetch). */
  fetch?: client.CustomFetch;
}

/**
 * The providers the operator configured in the environment, as replaced or switched off by an
 * admin. Google's endpoints are fixed here rather than discovered: its mail scope carries no ID
 * token to check. Microsoft and the generic provider are found by discovery (Microsoft's
 * multi-tenant authorities name the issuer `…/{tenantid}/v2.0`: openid-client then accepts the
 * ID token's issuer of the tenant its `tid` claim names, and no other). These URLs come from the
 * operator or an admin, not from users: plain http only where private networks are allowed.
 */
export class OAuthProviders {
  readonly #environment: Map<ProviderName, OAuthProvider>;
  readonly #environmentSettings: ProviderSettings[];
  /** Providers built from an admin's settings, by name and version. */
  readonly #built = new Map<ProviderName, { version: string; provider: OAuthProvider | null }>();
  /** The last providers read, for labels in messages (which need no fresh read). */
  #last: Map<ProviderName, OAuthProvider>;

  constructor(
    config: OAuthConfig,
    readonly options: OAuthProvidersOptions,
  ) {
    this.#environmentSettings = settingsOf(config);
    this.#environment = new Map(
      this.#environmentSettings.map((settings) => [settings.name, this.build(settings)]),
    );
    this.#last = this.#environment;
  }

  /** The environment's providers, as the operator set them (an admin's settings aside). */
  environment(): ProviderSettings[] {
    return this.#environmentSettings;
  }

  /** A provider from its settings; nothing is fetched until its configuration is asked for. */
  build(settings: ProviderSettings): OAuthProvider {
    const timeout = Math.max(1, Math.round(this.options.timeoutMs / 1000));
    const { allowInsecure } = this.options;
    const auth = (secret: string) => client.ClientSecretPost(secret);
    const tuned = (configuration: client.Configuration) => {
      configuration.timeout = timeout;
      if (this.options.fetch) configuration[client.customFetch] = this.options.fetch;
      if (allowInsecure) client.allowInsecureRequests(configuration);
      return configuration;
    };
    const fixed = (server: client.ServerMetadata) => {
      const configuration = tuned(
        new client.Configuration(
          server,
          settings.clientId,
          { client_secret: settings.clientSecret },
          auth(settings.clientSecret),
        ),
      );
      return async () => configuration;
    };
    const discovered = (issuer: URL) => {
      let found: Promise<client.Configuration> | undefined;
      return () => {
        found ??= client
          .discovery(
            issuer,
            settings.clientId,
            { client_secret: settings.clientSecret },
            auth(settings.clientSecret),
            {
              timeout,
              ...(this.options.fetch && { [client.customFetch]: this.options.fetch }),
              ...(allowInsecure && { execute: [client.allowInsecureRequests] }),
            },
          )
          .then(tuned)
          .catch((error: unknown) => {
            // Try again next time: the provider may only have been down.
            found = undefined;
            throw error;
          });
        return found;
      };
    };

    switch (settings.name) {
      case 'google':
        return {
          name: 'google',
          label: 'Google',
          scopes: GOOGLE_SCOPES,
          // Google issues a refresh token only for offline access, and again only with consent.
          authorizationParams: { access_type: 'offline', prompt: 'consent' },
          smtpHosts: ['smtp.gmail.com'],
          configuration: fixed({
            issuer: 'https://accounts.google.com',
            authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
            token_endpoint: 'https://oauth2.googleapis.com/token',
            revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
          }),
        };
      case 'microsoft':
        return {
          name: 'microsoft',
          label: 'Microsoft',
          scopes: MICROSOFT_SCOPES,
          authorizationParams: {},
          // Outlook.com's and Microsoft 365's submission servers.
          smtpHosts: ['smtp-mail.outlook.com', 'smtp.office365.com'],
          microsoftTenant: settings.tenant,
          configuration: discovered(microsoftAuthority(settings.tenant)),
        };
      case 'generic': {
        const { issuer, authorizationEndpoint, tokenEndpoint } = settings;
        const named = issuer ?? tokenEndpoint!;
        return {
          name: 'generic',
          label: new URL(named).host,
          scopes: settings.scopes,
          // OpenID Connect honours offline_access only when consent is asked for.
          authorizationParams: settings.scopes.includes('offline_access')
            ? { prompt: 'consent' }
            : {},
          smtpHosts: [],
          configuration:
            authorizationEndpoint && tokenEndpoint
              ? fixed({
                  issuer: issuer ?? new URL(tokenEndpoint).origin,
                  authorization_endpoint: authorizationEndpoint,
                  token_endpoint: tokenEndpoint,
                  ...(settings.revocationEndpoint && {
                    revocation_endpoint: settings.revocationEndpoint,
                  }),
                })
              : discovered(new URL(issuer!)),
        };
      }
    }
  }

  /** The providers in force now: the environment's, as an admin replaced or switched them off. */
  async current(): Promise<Map<ProviderName, OAuthProvider>> {
    const overrides = (await this.options.overrides?.()) ?? [];
    const providers = new Map(this.#environment);
    for (const override of overrides) {
      let built = this.#built.get(override.name);
      if (built?.version !== override.version) {
        built = {
          version: override.version,
          provider: override.settings && this.build(override.settings),
        };
        this.#built.set(override.name, built);
      }
      if (built.provider) providers.set(override.name, built.provider);
      else providers.delete(override.name);
    }
    this.#last = providers;
    return providers;
  }

  /** The providers in force, in a fixed order. */
  async list(): Promise<OAuthProvider[]> {
    const providers = await this.current();
    return PROVIDER_NAMES.flatMap((name) => providers.get(name) ?? []);
  }

  /** The named provider, or a refusal naming what is configured. */
  async get(name: string): Promise<OAuthProvider> {
    const provider = (await this.current()).get(name as ProviderName);
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
      this.#last.get(name as ProviderName)?.label ??
      ({ google: 'Google', microsoft: 'Microsoft' } as Record<string, string>)[name] ??
      name
    );
  }
}

/** The environment's providers as settings. */
function settingsOf(config: OAuthConfig): ProviderSettings[] {
  return [
    ...(config.google ? [{ name: 'google' as const, ...config.google }] : []),
    ...(config.microsoft ? [{ name: 'microsoft' as const, ...config.microsoft }] : []),
    ...(config.generic ? [{ name: 'generic' as const, ...config.generic }] : []),
  ];
}
