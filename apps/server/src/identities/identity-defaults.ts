import type { Pop3Account } from '../generated/prisma/client';
import { isIP } from 'node:net';
import { normalizeHost } from '../accounts/policy-host-rules';

/** What the identity form proposes for an account (GET /api/identities/defaults). */
export interface IdentityDefaults {
  name: string;
  address: string;
  smtp: { host: string; port: number; security: 'starttls'; username: string };
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * The usual SMTP server of a POP3 host: pop.example.com and pop3.example.com become
 * smtp.example.com; another name gets "smtp." in front of it (mail.example.com ->
 * smtp.mail.example.com is as good a guess as any); an address stays as it is.
 */
export function smtpHostFor(pop3Host: string): string {
  const host = normalizeHost(pop3Host);
  if (isIP(host)) return host;
  const domain = host.replace(/^pop3?\./, '');
  return domain.includes('.') ? `smtp.${domain}` : host;
}

/**
 * The proposal for a new identity of `account`: its POP3 user name as the address when it is one,
 * and submission with STARTTLS on port 587 at the guessed server, signing in as on POP3.
 */
export function identityDefaults(
  account: Pick<Pop3Account, 'host' | 'username'>,
): IdentityDefaults {
  return {
    name: '',
    address: ADDRESS.test(account.username) ? account.username : '',
    smtp: {
      host: smtpHostFor(account.host),
      port: 587,
      security: 'starttls',
      username: account.username,
    },
  };
}
