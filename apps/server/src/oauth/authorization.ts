import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import type { OAuthAuthorization, Prisma } from '../generated/prisma/client';
import type { DomainError } from '../domain-errors';
import { invalid, refused } from '../domain-errors';
import { ownedAccount } from '../accounts/owned-account';
import { takeAutoconfigLookup } from '../autoconfig/autoconfig-throttle';
import { openToken, sealToken } from './grant-secrets';
import {
  planNewAccount,
  prepareNewAccount,
  type NewAccountSpec,
  type SignedInPerson,
  type SignInSettingsLookup,
} from './new-account';
import { isSharedMicrosoftTenant, microsoftIssuerFits } from './microsoft-tenant';
import { providerFailure } from './provider-failure';
import { revokeIssuedTokens } from './revoke-issued';
import type { OAuthProviders } from './providers';
import { withSmtpHosts } from './smtp-binding';

/** A sign-in at the provider must come back within this long. */
export const AUTHORIZATION_TTL_MS = 10 * 60 * 1000;

export interface AuthorizationDeps {
  prisma: Db;
  keyring: Keyring;
  providers: OAuthProviders;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Where an account made by signing in finds its servers. */
  settingsLookup: SignInSettingsLookup;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/**
 * Starts signing an account in at the provider: one of the user's accounts (`accountId`), or one
 * to create for `email` once signed in (its settings found and the admin policy met first). State,
 * PKCE verifier and nonce are kept here, bound to the browser session that asked, and the URL to
 * send the browser to is answered.
 */
export async function startAuthorization(
  deps: AuthorizationDeps,
  input: {
    userId: string;
    sessionId: string;
    accountId?: string;
    email?: string;
    label?: string;
    provider: string;
    redirectUri: string;
    loginHint?: string;
  },
): Promise<URL> {
  if ((input.accountId === undefined) === (input.email === undefined)) {
    throw invalid(
      'VALIDATION',
      'querystring: give accountId (an account to sign in) or email (an account to create by signing in), not both',
    );
  }
  // Another user's account is not found, whatever the provider.
  if (input.accountId) await ownedAccount(deps.prisma, input.userId, input.accountId);
  const provider = await deps.providers.get(input.provider);
  let newAccount: NewAccountSpec | null = null;
  if (input.email !== undefined) {
    // The lookup may fetch the domain's documents: counted with GET /api/autoconfig.
    await takeAutoconfigLookup(deps.prisma, input.userId);
    newAccount = await planNewAccount(
      {
        prisma: deps.prisma,
        allowPrivateNetworks: deps.allowPrivateNetworks,
        lookup: deps.settingsLookup,
      },
      {
        userId: input.userId,
        email: input.email,
        ...(input.label !== undefined && { label: input.label }),
        provider,
      },
    );
  }
  let configuration: client.Configuration;
  try {
    configuration = await provider.configuration();
  } catch (error) {
    throw providerFailure(error, provider.label, deps.timeoutMs);
  }
  const state = randomBytes(32).toString('base64url');
  const verifier = client.randomPKCECodeVerifier();
  const nonce = provider.scopes.includes('openid') ? client.randomNonce() : undefined;
  const stateHash = hashState(state);
  const sealed = sealToken(deps.keyring, 'oauth-pkce', stateHash, verifier);
  // Abandoned sign-ins are dropped here rather than by a timer.
  await deps.prisma.oAuthAuthorization.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await deps.prisma.oAuthAuthorization.create({
    data: {
      stateHash,
      sessionId: input.sessionId,
      accountId: input.accountId ?? null,
      ...(newAccount && { newAccount: newAccount as unknown as Prisma.InputJsonObject }),
      provider: provider.name,
      verifierCiphertext: sealed.ciphertext,
      verifierKeyId: sealed.keyId,
      nonce: nonce ?? null,
      redirectUri: input.redirectUri,
      expiresAt: new Date(Date.now() + AUTHORIZATION_TTL_MS),
    },
  });
  return client.buildAuthorizationUrl(configuration, {
    redirect_uri: input.redirectUri,
    scope: provider.scopes.join(' '),
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(nonce && { nonce }),
    ...((input.loginHint ?? input.email) && { login_hint: input.loginHint ?? input.email }),
    ...provider.authorizationParams,
  });
}

export type AuthorizationResult =
  /** `created`: the account (and its identity) was made by this sign-in. */
  | { ok: true; accountId: string; provider: string; created: boolean }
  | { ok: false; accountId: string | null; code: string; message: string };

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

const issuerMismatch = (label: string) =>
  refused(
    'OAUTH_ISSUER_MISMATCH',
    `${label} answered for another tenant or issuer than the one Popgate is set up with; nothing was stored`,
  );

/** The subject the provider vouched for, when it sent an ID token. */
function subjectOf(tokens: Tokens) {
  const claims = tokens.claims();
  if (!claims) return null;
  const name = claims.email ?? claims.preferred_username ?? claims.sub;
  return typeof name === 'string' ? name : null;
}

/** The address and name the ID token vouches for, when it carries them. */
function personOf(tokens: Tokens): SignedInPerson {
  const claims = tokens.claims();
  const email = claims?.email;
  return {
    address: typeof email === 'string' && /^[^@\s]+@[^@\s]+$/.test(email) ? email : null,
    name: typeof claims?.name === 'string' ? claims.name : null,
  };
}

/**
 * The browser came back from the provider: the state must be one this session started and not
 * yet used (it is used up now, whatever follows), the code is exchanged with the PKCE verifier,
 * and only then is the grant stored, in one transaction (with the account and identity it
 * creates, for a sign-in started with an address). Any failure stores nothing.
 */
export async function finishAuthorization(
  deps: AuthorizationDeps,
  input: { userId: string; sessionId: string; callbackUrl: URL },
): Promise<AuthorizationResult> {
  const state = input.callbackUrl.searchParams.get('state');
  // Used up by the first callback that names it: a replayed callback finds nothing.
  const rows = state
    ? await deps.prisma.$queryRaw<OAuthAuthorization[]>`
        DELETE FROM oauth_authorizations
        WHERE "stateHash" = ${hashState(state)} AND "sessionId" = ${input.sessionId}::uuid
        RETURNING *`
    : [];
  const pending = rows[0];
  if (!pending || pending.expiresAt.getTime() < Date.now()) {
    return {
      ok: false,
      accountId: pending?.accountId ?? null,
      code: 'OAUTH_STATE_MISMATCH',
      message:
        'This sign-in was not started from this browser session, was already used, or took too long; start it again from the account',
    };
  }
  const fail = (error: DomainError): AuthorizationResult => ({
    ok: false,
    accountId: pending.accountId,
    code: error.code,
    message: error.message,
  });
  let provider;
  try {
    provider = await deps.providers.get(pending.provider);
  } catch (error) {
    return fail(error as DomainError);
  }
  try {
    const newAccount = pending.newAccount as NewAccountSpec | null;
    // The account to link must still be the user's (it may have been removed meanwhile).
    const account = pending.accountId
      ? await ownedAccount(deps.prisma, input.userId, pending.accountId)
      : null;
    if (!account && !newAccount)
      throw refused('OAUTH_STATE_MISMATCH', 'This sign-in names no account');
    const configuration = await provider.configuration();
    const verifier = openToken(deps.keyring, 'oauth-pkce', pending.stateHash, {
      ciphertext: pending.verifierCiphertext,
      keyId: pending.verifierKeyId,
    });
    // The URL the provider redirected to, as registered (not as a proxy may have rewritten it).
    // Parameters providers add (iss, scope, session_state…) come along: openid-client checks
    // `iss` against the provider's issuer when it is present (RFC 9207) and ignores the rest.
    const currentUrl = new URL(pending.redirectUri);
    currentUrl.search = input.callbackUrl.search;
    const tenant = provider.microsoftTenant;
    const redirectIss = currentUrl.searchParams.get('iss');
    if (tenant !== undefined && redirectIss !== null) {
      if (!microsoftIssuerFits(tenant, redirectIss)) throw issuerMismatch(provider.label);
      // A multi-tenant authority names the person's own tenant, not its template: checked
      // here by the tenant rule, where openid-client would compare it with the template.
      if (isSharedMicrosoftTenant(tenant)) currentUrl.searchParams.delete('iss');
    }
    const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state ?? '',
      ...(pending.nonce && { expectedNonce: pending.nonce }),
      idTokenExpected: false,
    });
    const claims = tokens.claims();
    if (tenant !== undefined && claims && !microsoftIssuerFits(tenant, claims.iss, claims.tid)) {
      throw issuerMismatch(provider.label);
    }
    if (!tokens.refresh_token) {
      throw refused(
        'OAUTH_NO_REFRESH_TOKEN',
        `${provider.label} gave no refresh token, so Popgate could not keep checking this account; the operator's scopes may lack offline access`,
      );
    }
    const now = new Date();
    const expiresIn = tokens.expiresIn();
    const grantFor = (
      target: { id: string; host: string; port: number; username: string },
      smtpHosts: string[],
    ) => {
      const refresh = sealToken(deps.keyring, 'oauth-refresh', target.id, tokens.refresh_token!);
      const access = sealToken(deps.keyring, 'oauth-access', target.id, tokens.access_token);
      return {
        provider: provider.name,
        subject: subjectOf(tokens),
        scope: tokens.scope ?? null,
        refreshCiphertext: refresh.ciphertext,
        refreshKeyId: refresh.keyId,
        accessCiphertext: access.ciphertext,
        accessKeyId: access.keyId,
        accessExpiresAt:
          expiresIn === undefined ? null : new Date(now.getTime() + expiresIn * 1000),
        lastRefreshedAt: now,
        refreshCount: 0,
        status: 'active' as const,
        lastError: null,
        boundHost: target.host,
        boundPort: target.port,
        boundUsername: target.username,
        // The provider's own SMTP servers, and those chosen earlier for this account's identities.
        smtpHosts: withSmtpHosts(smtpHosts, provider.smtpHosts),
      };
    };

    if (!account) {
      // Account, identity and grant in one transaction: all of them, or nothing.
      let created;
      try {
        const create = await prepareNewAccount(
          {
            prisma: deps.prisma,
            keyring: deps.keyring,
            allowPrivateNetworks: deps.allowPrivateNetworks,
          },
          { userId: input.userId, spec: newAccount!, person: personOf(tokens) },
        );
        created = await deps.prisma.$transaction(async (tx) => {
          const made = await create(tx);
          await tx.oAuthGrant.create({
            data: {
              accountId: made.id,
              // Signing in from the preset is the choice of its SMTP server as well.
              ...grantFor(made, newAccount!.smtp ? [newAccount!.smtp.host] : []),
            },
          });
          return made;
        });
      } catch (error) {
        // Nothing was stored: the tokens just issued are handed back rather than left valid.
        await revokeIssuedTokens(
          { prisma: deps.prisma, configuration, provider: provider.name, userId: input.userId },
          { refreshToken: tokens.refresh_token, subject: subjectOf(tokens) },
        );
        throw error;
      }
      return { ok: true, accountId: created.id, provider: provider.name, created: true };
    }

    const earlier = await deps.prisma.oAuthGrant.findUnique({
      where: { accountId: account.id },
      select: { smtpHosts: true },
    });
    const grant = grantFor(account, earlier?.smtpHosts ?? []);
    await deps.prisma.$transaction([
      deps.prisma.oAuthGrant.upsert({
        where: { accountId: account.id },
        create: { accountId: account.id, ...grant },
        update: grant,
      }),
      // The account logs in with tokens from now on, and an account stopped by a refused
      // sign-in is checked again at once.
      deps.prisma.pop3Account.update({
        where: { id: account.id },
        data: {
          ...(account.authMethod !== 'xoauth2' &&
            account.authMethod !== 'oauthbearer' && { authMethod: 'xoauth2' }),
          ...(account.status === 'auth_failed' && {
            status: 'new',
            lastError: null,
            lastErrorCode: null,
            failureCount: 0,
          }),
          nextSyncAt: now,
        },
      }),
    ]);
    return { ok: true, accountId: account.id, provider: provider.name, created: false };
  } catch (error) {
    return fail(providerFailure(error, provider.label, deps.timeoutMs));
  }
}
