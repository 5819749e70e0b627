import type { Db } from '../db/prisma';
import { invalid } from '../domain-errors';
import type { OAuthGrant } from '../generated/prisma/client';
import { normalizeHost } from '../accounts/policy-host-rules';

/**
 * Invariant 9 for OAuth2 tokens sent over SMTP: an account's grant is bound to its POP3 server,
 * and its tokens go to an SMTP server only when the grant names that host: the provider's own
 * (smtp.gmail.com for Google…), the preset's of an account made by signing in, or one the user
 * chose for an identity in the very request that named it (`smtp.useAccountSignIn: true`). A
 * stolen session that points an identity elsewhere gets PASSWORD_REQUIRED, never a token.
 */

const KNOWN_LABELS: Record<string, string> = { google: 'Google', microsoft: 'Microsoft' };

/** The provider's name for messages where the configured providers are not at hand. */
export const grantLabel = (grant: Pick<OAuthGrant, 'provider'>) =>
  KNOWN_LABELS[grant.provider] ?? 'the provider';

export const smtpHostChosen = (grant: Pick<OAuthGrant, 'smtpHosts'>, host: string): boolean =>
  grant.smtpHosts.includes(normalizeHost(host));

/** Refuses (400 PASSWORD_REQUIRED) to send the grant's tokens to an SMTP server nobody chose. */
export function requireSmtpHostChosen(
  grant: Pick<OAuthGrant, 'smtpHosts' | 'provider'>,
  host: string,
  label = grantLabel(grant),
): void {
  if (smtpHostChosen(grant, host)) return;
  throw invalid(
    'PASSWORD_REQUIRED',
    `Enter the SMTP password, or choose to send with the account's sign-in at ${label}: that sign-in is only used with sending servers chosen for it, and ${normalizeHost(host)} was not`,
  );
}

/** The hosts a grant names after adding `hosts` (normalized, each once). */
export const withSmtpHosts = (current: readonly string[], hosts: readonly string[]): string[] => [
  ...new Set([...current, ...hosts.map(normalizeHost)]),
];

export interface AccountSignIn {
  grant: OAuthGrant;
  /** The host must be added to the grant (the user consented in this request). */
  bind: boolean;
}

/**
 * How an identity without a password of its own signs in to `smtpHost`: null when its account
 * has no OAuth2 grant (the account's password and its rules apply); the grant when it names the
 * host already or `consent` adds it; otherwise 400 PASSWORD_REQUIRED. Consent for an account
 * without a grant is a mistake of the request (400 VALIDATION).
 */
export async function accountSignInFor(
  prisma: Pick<Db, 'oAuthGrant'>,
  accountId: string,
  smtpHost: string,
  consent: boolean,
): Promise<AccountSignIn | null> {
  const grant = await prisma.oAuthGrant.findUnique({ where: { accountId } });
  if (!grant) {
    if (!consent) return null;
    throw invalid(
      'VALIDATION',
      'body/smtp/useAccountSignIn: this account is not signed in with a provider; give the SMTP password instead',
    );
  }
  if (smtpHostChosen(grant, smtpHost)) return { grant, bind: false };
  if (consent) return { grant, bind: true };
  return requireSmtpHostChosen(grant, smtpHost) as never;
}

/**
 * The statement that records the user's consent to send the grant's tokens to `host` (appended
 * rather than rewritten, so two identities saved at once both keep theirs).
 */
export const bindSmtpHost = (prisma: Pick<Db, 'oAuthGrant'>, grant: OAuthGrant, host: string) =>
  prisma.oAuthGrant.update({
    where: { id: grant.id },
    data: { smtpHosts: { push: normalizeHost(host) } },
  });
