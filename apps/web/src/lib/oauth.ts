import type { AccountOut, OAuthProviderId, OAuthProvidersReply } from '@popgate/contracts';

/** A provider this Popgate can sign accounts in with (GET /api/oauth/providers). */
export type OAuthProvider = OAuthProvidersReply['items'][number];

/** The names people know; the generic provider is named by the operator's configuration. */
const KNOWN_LABELS: Record<string, string> = { google: 'Google', microsoft: 'Microsoft' };

/** "Google", "Microsoft", or the generic provider's label (its host) as the server names it. */
export function providerLabel(name: string, providers: OAuthProvider[] = []): string {
  return (
    providers.find((provider) => provider.name === name)?.label ??
    KNOWN_LABELS[name] ??
    'your provider'
  );
}

/** Whose POP3 servers these are when the account was typed in by hand (no autoconfig answer). */
export function providerForHost(host: string): 'google' | 'microsoft' | null {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name === 'pop.gmail.com' || name === 'pop.googlemail.com') return 'google';
  if (/^(outlook\.office365\.com|pop-mail\.outlook\.com|outlook\.office\.com)$/.test(name)) {
    return 'microsoft';
  }
  return null;
}

/**
 * The sign-in buttons to offer: `main` is the provider the address belongs to when this Popgate
 * has it configured (the password field gives way to its button); `others` are configured
 * providers offered beside the password, such as the operator's own (generic) one.
 */
export function signInChoices(
  suggested: string | null,
  providers: OAuthProvider[],
): { main: OAuthProvider | null; others: OAuthProvider[] } {
  const main = (suggested && providers.find((provider) => provider.name === suggested)) || null;
  const others = providers.filter((provider) => provider.name === 'generic' && provider !== main);
  return { main, others };
}

/** Where the sign-in starts: the account to link, or the address of an account to create. */
export type SignInTarget =
  { accountId: string; loginHint?: string } | { email: string; label?: string };

/** The start of the sign-in: a full-page visit that comes back to the account's page. */
export function oauthStartUrl(provider: OAuthProviderId | string, target: SignInTarget): string {
  const query = new URLSearchParams();
  if ('accountId' in target) {
    query.set('accountId', target.accountId);
    if (target.loginHint?.includes('@')) query.set('loginHint', target.loginHint);
  } else {
    query.set('email', target.email.trim());
    if (target.label?.trim()) query.set('label', target.label.trim());
  }
  return `/api/oauth/${encodeURIComponent(provider)}/start?${query.toString()}`;
}

/** What the server's callback said about a sign-in, read from the account page's address. */
export type OAuthResult =
  { ok: true; provider: string } | { ok: false; code: string; message: string };

type Query = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** `?oauth=linked&provider=…` or `?oauth=error&code=…&message=…`; null for anything else. */
export function readOAuthResult(query: Query): OAuthResult | null {
  if (query.oauth === 'linked') return { ok: true, provider: text(query.provider) };
  if (query.oauth === 'error') {
    return {
      ok: false,
      code: text(query.code),
      message:
        text(query.message).trim() ||
        'The sign-in did not finish. Start it again from the account.',
    };
  }
  return null;
}

/** The address without the sign-in result (so a reload does not tell it again). */
export function withoutOAuthResult(query: Query): Query {
  const { oauth: _oauth, provider: _provider, code: _code, message: _message, ...rest } = query;
  return rest;
}

/** The account signs in through a grant that the provider withdrew: only signing in helps. */
export const needsSignInAgain = (account: Pick<AccountOut, 'status' | 'lastErrorCode'>) =>
  account.status === 'auth_failed' && account.lastErrorCode === 'OAUTH_REAUTH';

/** The provider an account signs in with (its grant's), if any. */
export const accountProvider = (account: AccountOut): string | null =>
  account.oauth?.provider ?? null;

/** An account's way of signing in, as an admin reads it: "OAuth2 (Google)", "Password". */
export function signInMethodText(
  auth: AccountOut['auth'],
  grant: { provider: string; status: string } | null | undefined,
): string {
  if (grant) {
    const name =
      grant.provider === 'generic' ? 'the operator’s provider' : providerLabel(grant.provider);
    return `OAuth2 (${name})${grant.status === 'reauth_required' ? ', sign-in withdrawn' : ''}`;
  }
  if (auth === 'xoauth2' || auth === 'oauthbearer') return 'OAuth2 token typed in (not renewed)';
  return 'Password';
}
