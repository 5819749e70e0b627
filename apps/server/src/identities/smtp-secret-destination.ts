import type { Security } from '@popgate/contracts';
import { isIP } from 'node:net';
import { invalid } from '../domain-errors';
import type { Identity } from '../generated/prisma/client';
import { normalizeHost } from '../accounts/policy-host-rules';

/**
 * A stored secret is only ever sent to the server it was stored for (DESIGN.md invariant 9).
 *
 * An identity's own SMTP password: changing the server, port, security, user name or trusted
 * certificate needs it typed again (or the account's password chosen instead), as for accounts.
 *
 * The account's POP3 password, which an identity uses when it has none of its own: it goes only
 * to an SMTP server of the same site as the POP3 server it was stored for (pop.example.com ->
 * smtp.example.com, the same host, or the same address), so that a stolen session cannot have
 * Popgate hand the POP3 password to a server of its choosing. Any other server needs the SMTP
 * password typed.
 */
export interface SmtpDestination {
  host?: string;
  port?: number;
  security?: Security;
  username?: string;
  tls?: { caPem?: string | null; pinSha256?: string | null };
}

const fingerprint = (pin: string | null | undefined) =>
  (pin ?? '').replace(/[^0-9a-f]/gi, '').toLowerCase();

/** The settings in `next` (those given) that would send the identity's stored secret elsewhere. */
export function smtpDestinationChanges(stored: Identity, next: SmtpDestination): string[] {
  const changes: string[] = [];
  if (next.host !== undefined && normalizeHost(next.host) !== stored.smtpHost)
    changes.push('server');
  if (next.port !== undefined && next.port !== stored.smtpPort) changes.push('port');
  if (next.security !== undefined && next.security !== stored.smtpSecurity) {
    changes.push('connection security');
  }
  if (next.username !== undefined && next.username !== stored.smtpUsername) {
    changes.push('user name');
  }
  const caPem = next.tls?.caPem?.trim();
  const pin = fingerprint(next.tls?.pinSha256);
  if (
    (caPem && caPem !== (stored.smtpTlsCaPem ?? '').trim()) ||
    (pin && pin !== fingerprint(stored.smtpTlsPinSha256))
  ) {
    changes.push('trusted certificate');
  }
  return changes;
}

const listed = (items: string[]) =>
  items.length === 1
    ? items[0]!
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;

/** Refuses (400 PASSWORD_REQUIRED) to use the identity's stored secret for other settings. */
export function requireSmtpSecretFor(stored: Identity, next: SmtpDestination): void {
  const changes = smtpDestinationChanges(stored, next);
  if (changes.length === 0) return;
  throw invalid(
    'PASSWORD_REQUIRED',
    `Enter the SMTP password again (or choose the account's password): the saved password is only ever sent to the server it was saved for, and this changes the ${listed(changes)}`,
  );
}

/**
 * The site a host belongs to for this rule: an address stands for itself, a name of three labels
 * or more loses its first one (pop.example.com and smtp.example.com are both example.com), a
 * shorter name stands for itself.
 */
function siteOf(host: string): string {
  const name = normalizeHost(host);
  if (isIP(name)) return name;
  const labels = name.split('.');
  return labels.length >= 3 ? labels.slice(1).join('.') : name;
}

/** True when the account's POP3 password may be sent to the SMTP server `smtpHost`. */
export const accountPasswordMayGoTo = (pop3Host: string, smtpHost: string): boolean =>
  siteOf(pop3Host) === siteOf(smtpHost);

/** Refuses (400 PASSWORD_REQUIRED) to send the account's POP3 password to another site. */
export function requireAccountPasswordDestination(pop3Host: string, smtpHost: string): void {
  if (accountPasswordMayGoTo(pop3Host, smtpHost)) return;
  throw invalid(
    'PASSWORD_REQUIRED',
    `Enter the SMTP password: the account's POP3 password is only sent to a sending server of the same domain as its POP3 server (${siteOf(pop3Host)}), and ${normalizeHost(smtpHost)} is not`,
  );
}
