import type { Security } from '@popgate/contracts';
import { invalid } from '../domain-errors';
import type { Pop3Account } from '../generated/prisma/client';
import { normalizeHost } from './policy-host-rules';

/**
 * A stored password is only ever sent to the server it was stored for (DESIGN.md invariant 9):
 * the same host, port, connection security and user name, trusting no certificate the account
 * did not trust. Anything else needs the password typed again, so a stolen session cannot have
 * Popgate hand the password to a server of its choosing.
 */
export interface ConnectionSettings {
  host?: string;
  port?: number;
  security?: Security;
  username?: string;
  tls?: { caPem?: string | null; pinSha256?: string | null };
}

const fingerprint = (pin: string | null | undefined) =>
  (pin ?? '').replace(/[^0-9a-f]/gi, '').toLowerCase();

/**
 * The settings in `next` (those given) that would send the stored secret elsewhere. Leaving out
 * or removing a pinned certificate or CA is not among them: the server's certificate is then
 * checked against the system's authorities, as for any account.
 */
export function destinationChanges(stored: Pop3Account, next: ConnectionSettings): string[] {
  const changes: string[] = [];
  if (next.host !== undefined && normalizeHost(next.host) !== stored.host) changes.push('server');
  if (next.port !== undefined && next.port !== stored.port) changes.push('port');
  if (next.security !== undefined && next.security !== stored.security) {
    changes.push('connection security');
  }
  if (next.username !== undefined && next.username !== stored.username) changes.push('user name');
  const caPem = next.tls?.caPem?.trim();
  const pin = fingerprint(next.tls?.pinSha256);
  if (
    (caPem && caPem !== (stored.tlsCaPem ?? '').trim()) ||
    (pin && pin !== fingerprint(stored.tlsPinSha256))
  ) {
    changes.push('trusted certificate');
  }
  return changes;
}

/** Refuses (400 PASSWORD_REQUIRED) to use the stored secret for settings it was not stored for. */
export function requireSecretFor(stored: Pop3Account, next: ConnectionSettings): void {
  const changes = destinationChanges(stored, next);
  if (changes.length === 0) return;
  const what =
    changes.length === 1
      ? changes[0]
      : `${changes.slice(0, -1).join(', ')} and ${changes[changes.length - 1]}`;
  throw invalid(
    'PASSWORD_REQUIRED',
    `Enter the POP3 password again: the saved password is only ever sent to the server it was saved for, and this changes the ${what}`,
  );
}
