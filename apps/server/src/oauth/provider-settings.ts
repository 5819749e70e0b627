import type { AdminOAuthProvider, AdminOAuthProviderPut } from '@popgate/contracts';
import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import { invalid, unprocessable } from '../domain-errors';
import type { OAuthProviderSetting } from '../generated/prisma/client';
import { isMicrosoftTenant, MICROSOFT_TENANT_HINT } from './microsoft-tenant';
import {
  DEFAULT_GENERIC_SCOPES,
  GOOGLE_SCOPES,
  MICROSOFT_SCOPES,
  microsoftAuthority,
  PROVIDER_NAMES,
  type OAuthProviders,
  type ProviderName,
  type ProviderOverride,
  type ProviderSettings,
} from './providers';

/** A client secret opens for its provider's row only. */
const secretOwner = (name: ProviderName) => `oauth-client-secret:${name}`;

const overrideOf = (keyring: Keyring, row: OAuthProviderSetting): ProviderOverride => {
  const name = row.provider as ProviderName;
  const version = row.updatedAt.toISOString();
  if (!row.enabled) return { name, version, settings: null };
  const clientSecret = keyring.open(
    { ciphertext: Buffer.from(row.secretCiphertext), keyId: row.secretKeyId },
    secretOwner(name),
  );
  const client = { clientId: row.clientId, clientSecret };
  const settings: ProviderSettings =
    name === 'google'
      ? { name, ...client }
      : name === 'microsoft'
        ? { name, ...client, tenant: row.tenant ?? 'common' }
        : {
            name,
            ...client,
            scopes: row.scopes,
            ...(row.issuer && { issuer: row.issuer }),
            ...(row.authorizationEndpoint && { authorizationEndpoint: row.authorizationEndpoint }),
            ...(row.tokenEndpoint && { tokenEndpoint: row.tokenEndpoint }),
            ...(row.revocationEndpoint && { revocationEndpoint: row.revocationEndpoint }),
          };
  return { name, version, settings };
};

/** The admins' provider settings, read fresh: a change made by any process applies at once. */
export async function readProviderOverrides(
  prisma: Db,
  keyring: Keyring,
): Promise<ProviderOverride[]> {
  const rows = await prisma.oAuthProviderSetting.findMany();
  return rows
    .filter((row) => (PROVIDER_NAMES as readonly string[]).includes(row.provider))
    .map((row) => overrideOf(keyring, row));
}

/** A provider URL: https, or http where the operator allows private networks. */
function checkUrl(field: string, value: string, allowInsecure: boolean): string {
  let url: URL | null;
  try {
    url = new URL(value.trim());
  } catch {
    url = null;
  }
  const schemes = allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!url || !schemes.includes(url.protocol) || url.username || url.password || url.hash) {
    throw invalid(
      'VALIDATION',
      `body/${field} "${value}" is not a provider URL: it must start with https:// (and carry no user name or #fragment)`,
    );
  }
  return url.href.replace(/\/$/, '');
}

const onlyFor = (field: string, provider: string, body: Record<string, unknown>) => {
  if (body[field] !== undefined) {
    throw invalid('VALIDATION', `body/${field} is not a setting of ${provider}`);
  }
};

/**
 * The settings an admin's request describes, checked field by field: each refusal names the
 * field and what it should be. The client secret is the one given, or else `keptSecret`.
 */
export function settingsFromRequest(
  name: ProviderName,
  body: AdminOAuthProviderPut,
  keptSecret: string | null,
  options: { allowInsecure: boolean },
): ProviderSettings {
  // Switching a provider off needs no secret.
  const enabled = body.enabled ?? true;
  const clientSecret = body.clientSecret ?? keptSecret ?? (enabled ? null : '');
  if (clientSecret === null) {
    throw invalid(
      'VALIDATION',
      'body/clientSecret is needed: give the client secret the provider issued',
    );
  }
  const client = { clientId: body.clientId.trim(), clientSecret };
  const generic = [
    'issuer',
    'authorizationEndpoint',
    'tokenEndpoint',
    'revocationEndpoint',
    'scopes',
  ];
  if (name !== 'microsoft') onlyFor('tenant', name, body);
  if (name !== 'generic') for (const field of generic) onlyFor(field, name, body);
  if (name === 'google') return { name, ...client };
  if (name === 'microsoft') {
    const tenant = body.tenant?.trim() ?? 'common';
    if (!isMicrosoftTenant(tenant)) {
      throw invalid('VALIDATION', `body/tenant ${MICROSOFT_TENANT_HINT}, got "${tenant}"`);
    }
    return { name, ...client, tenant };
  }
  const url = (
    field: 'issuer' | 'authorizationEndpoint' | 'tokenEndpoint' | 'revocationEndpoint',
  ) =>
    body[field] === undefined ? undefined : checkUrl(field, body[field], options.allowInsecure);
  const issuer = url('issuer');
  const authorizationEndpoint = url('authorizationEndpoint');
  const tokenEndpoint = url('tokenEndpoint');
  const revocationEndpoint = url('revocationEndpoint');
  if ((authorizationEndpoint === undefined) !== (tokenEndpoint === undefined)) {
    throw invalid(
      'VALIDATION',
      'body/authorizationEndpoint and body/tokenEndpoint go together: give both, or neither and the issuer',
    );
  }
  if (!issuer && !tokenEndpoint && enabled) {
    throw invalid(
      'VALIDATION',
      "body/issuer is needed: the provider's issuer URL (its /.well-known/openid-configuration is read), or its authorization and token endpoints",
    );
  }
  const scopes = (body.scopes ?? DEFAULT_GENERIC_SCOPES).map((scope) => scope.trim());
  if (scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw invalid('VALIDATION', 'body/scopes: a scope is one word without spaces or quotes');
  }
  if (tokenEndpoint && !issuer && scopes.includes('openid')) {
    throw invalid(
      'VALIDATION',
      'body/scopes has openid, whose ID tokens are checked with the keys the issuer publishes: give the issuer too, or leave openid out',
    );
  }
  return {
    name,
    ...client,
    scopes,
    ...(issuer && { issuer }),
    ...(authorizationEndpoint && { authorizationEndpoint, tokenEndpoint }),
    ...(revocationEndpoint && { revocationEndpoint }),
  };
}

/**
 * Reads the provider's discovery document once before the settings are kept, so that an issuer
 * that is wrong or down is refused now, in words, rather than at the first user's sign-in.
 */
export async function checkProviderReachable(
  providers: OAuthProviders,
  settings: ProviderSettings,
): Promise<void> {
  if (settings.name === 'google') return;
  if (settings.name === 'generic' && settings.tokenEndpoint) return;
  const issuer =
    settings.name === 'microsoft' ? microsoftAuthority(settings.tenant).href : settings.issuer!;
  try {
    await providers.build(settings).configuration();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw unprocessable(
      'OAUTH_ISSUER_UNREACHABLE',
      `Popgate could not read the provider's discovery document at ${issuer.replace(/\/$/, '')}/.well-known/openid-configuration (${reason}); check the issuer URL`,
    );
  }
}

/** Keeps an admin's settings for a provider (it replaces the environment's), the secret sealed. */
export async function saveProviderSetting(
  prisma: Db,
  keyring: Keyring,
  settings: ProviderSettings,
  options: { enabled: boolean; adminId: string },
): Promise<void> {
  const sealed = keyring.seal(settings.clientSecret, secretOwner(settings.name));
  const data = {
    enabled: options.enabled,
    clientId: settings.clientId,
    secretCiphertext: new Uint8Array(sealed.ciphertext),
    secretKeyId: sealed.keyId,
    tenant: settings.name === 'microsoft' ? settings.tenant : null,
    issuer: settings.name === 'generic' ? (settings.issuer ?? null) : null,
    authorizationEndpoint:
      settings.name === 'generic' ? (settings.authorizationEndpoint ?? null) : null,
    tokenEndpoint: settings.name === 'generic' ? (settings.tokenEndpoint ?? null) : null,
    revocationEndpoint: settings.name === 'generic' ? (settings.revocationEndpoint ?? null) : null,
    scopes: settings.name === 'generic' ? settings.scopes : [],
    updatedById: options.adminId,
  };
  await prisma.oAuthProviderSetting.upsert({
    where: { provider: settings.name },
    create: { provider: settings.name, ...data },
    update: data,
  });
}

/** The client secret an admin set for the provider, to keep it when a change leaves it out. */
export async function keptClientSecret(
  prisma: Db,
  keyring: Keyring,
  name: ProviderName,
): Promise<string | null> {
  const row = await prisma.oAuthProviderSetting.findUnique({ where: { provider: name } });
  if (!row) return null;
  return keyring.open(
    { ciphertext: Buffer.from(row.secretCiphertext), keyId: row.secretKeyId },
    secretOwner(name),
  );
}

/** Removes an admin's settings: the environment's (if any) apply again. Answers whether any were. */
export async function clearProviderSetting(prisma: Db, name: ProviderName): Promise<boolean> {
  const { count } = await prisma.oAuthProviderSetting.deleteMany({ where: { provider: name } });
  return count > 0;
}

/** What the admin sees of every provider: where its settings come from, never its secret. */
export async function describeProviders(
  prisma: Db,
  keyring: Keyring,
  providers: OAuthProviders,
): Promise<AdminOAuthProvider[]> {
  const rows = new Map(
    (await prisma.oAuthProviderSetting.findMany()).map((row) => [row.provider, row]),
  );
  const environment = new Map(providers.environment().map((settings) => [settings.name, settings]));
  return PROVIDER_NAMES.map((name) => {
    const row = rows.get(name);
    const env = environment.get(name);
    const scopesOf = (generic: string[]) =>
      name === 'google' ? GOOGLE_SCOPES : name === 'microsoft' ? MICROSOFT_SCOPES : generic;
    const base = {
      provider: name,
      environmentDefault: env !== undefined,
    };
    if (row) {
      return {
        ...base,
        source: 'admin' as const,
        enabled: row.enabled,
        clientId: row.clientId,
        clientSecretSet:
          keyring.open(
            { ciphertext: Buffer.from(row.secretCiphertext), keyId: row.secretKeyId },
            secretOwner(name),
          ) !== '',
        tenant: row.tenant,
        issuer: row.issuer,
        authorizationEndpoint: row.authorizationEndpoint,
        tokenEndpoint: row.tokenEndpoint,
        revocationEndpoint: row.revocationEndpoint,
        scopes: scopesOf(row.scopes),
        updatedAt: row.updatedAt.toISOString(),
      };
    }
    return {
      ...base,
      source: env ? ('environment' as const) : ('none' as const),
      enabled: env !== undefined,
      clientId: env?.clientId ?? null,
      clientSecretSet: env !== undefined,
      tenant: env?.name === 'microsoft' ? env.tenant : null,
      issuer: env?.name === 'generic' ? (env.issuer ?? null) : null,
      authorizationEndpoint: env?.name === 'generic' ? (env.authorizationEndpoint ?? null) : null,
      tokenEndpoint: env?.name === 'generic' ? (env.tokenEndpoint ?? null) : null,
      revocationEndpoint: env?.name === 'generic' ? (env.revocationEndpoint ?? null) : null,
      scopes: scopesOf(env?.name === 'generic' ? env.scopes : []),
      updatedAt: null,
    };
  });
}

/** Fields of a provider an admin changes, compared for the audit log. */
const AUDITED_FIELDS = [
  'source',
  'enabled',
  'clientId',
  'tenant',
  'issuer',
  'authorizationEndpoint',
  'tokenEndpoint',
  'revocationEndpoint',
  'scopes',
] as const;

/**
 * What an admin's change did to a provider, field by field ({from, to}), for the audit log: only
 * the fields that changed, and of the secret only that a new one was given.
 */
export function providerChanges(
  before: AdminOAuthProvider,
  after: AdminOAuthProvider,
  secretGiven: boolean,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of AUDITED_FIELDS) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      changes[field] = { from: before[field], to: after[field] };
    }
  }
  if (secretGiven) changes.clientSecret = 'changed';
  return changes;
}
