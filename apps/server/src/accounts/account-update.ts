import type { AccountPatch } from '@popgate/contracts';
import type { Keyring } from '../crypto/secret-box';
import { Prisma, type Pop3Account } from '../generated/prisma/client';
import { sealAccountSecret } from './account-secret';
import { authMethodToDb } from './auth-method-names';
import { normalizeHost } from './policy-host-rules';

export interface AccountUpdate {
  data: Prisma.Pop3AccountUpdateInput;
  /** Names of the fields that change (never their values: the password is among them). */
  changed: string[];
  /** Where or how to connect changed: the account starts over and is checked at once. */
  reconnect: boolean;
}

/** Fields that decide whether a connection works; changing one gives a stopped account a new try. */
const CONNECTION_FIELDS = ['host', 'port', 'security', 'username', 'password', 'auth', 'tls'];

/**
 * What a PATCH changes. Values equal to the stored ones are not changes (a form often sends
 * everything back); a password is always one, since it is only ever stored sealed, bound to the
 * account.
 */
export function accountUpdate(
  current: Pop3Account,
  patch: AccountPatch,
  keyring: Keyring,
  now = new Date(),
): AccountUpdate {
  const data: Prisma.Pop3AccountUpdateInput = {};
  const changed: string[] = [];
  const set = <K extends keyof Pop3Account>(field: string, column: K, value: Pop3Account[K]) => {
    if (value === current[column]) return;
    (data as Record<string, unknown>)[column] = value;
    if (!changed.includes(field)) changed.push(field);
  };

  if (patch.label !== undefined) set('label', 'label', patch.label);
  if (patch.host !== undefined) set('host', 'host', normalizeHost(patch.host));
  if (patch.port !== undefined) set('port', 'port', patch.port);
  if (patch.security !== undefined) set('security', 'security', patch.security);
  if (patch.username !== undefined) set('username', 'username', patch.username);
  if (patch.auth !== undefined) set('auth', 'authMethod', authMethodToDb(patch.auth));
  // An emptied field of the form means "none".
  if (patch.tls?.caPem !== undefined) set('tls', 'tlsCaPem', patch.tls.caPem || null);
  if (patch.tls?.pinSha256 !== undefined) set('tls', 'tlsPinSha256', patch.tls.pinSha256 || null);
  if (patch.password !== undefined) {
    Object.assign(data, sealAccountSecret(keyring, current.id, patch.password));
    changed.push('password');
  }
  const policy = patch.policy ?? {};
  if (policy.leaveOnServer !== undefined)
    set('policy.leaveOnServer', 'leaveOnServer', policy.leaveOnServer);
  if (policy.deleteAfterDays !== undefined)
    set('policy.deleteAfterDays', 'deleteAfterDays', policy.deleteAfterDays);
  if (policy.deleteWhenDeletedHere !== undefined)
    set('policy.deleteWhenDeletedHere', 'deleteWhenDeletedHere', policy.deleteWhenDeletedHere);
  if (policy.maxFullDownloadBytes !== undefined)
    set('policy.maxFullDownloadBytes', 'maxFullDownloadBytes', policy.maxFullDownloadBytes);
  if (policy.pollSeconds !== undefined) {
    set('policy.pollSeconds', 'pollSeconds', policy.pollSeconds);
    // A shorter interval applies from the last check, not after the long wait already planned.
    const soonest = new Date((current.lastSyncAt ?? now).getTime() + policy.pollSeconds * 1000);
    if (soonest < current.nextSyncAt) data.nextSyncAt = soonest < now ? now : soonest;
  }
  if (patch.disabled !== undefined) {
    set('disabled', 'disabled', patch.disabled);
    if (current.disabled && !patch.disabled) data.nextSyncAt = now;
  }

  const reconnect = changed.some((field) => CONNECTION_FIELDS.includes(field));
  if (reconnect) {
    Object.assign(data, {
      status: 'new',
      failureCount: 0,
      lastError: null,
      lastErrorCode: null,
      nextSyncAt: now,
    } satisfies Prisma.Pop3AccountUpdateInput);
    // What the old server said about itself does not describe the new one.
    if (changed.some((field) => ['host', 'port', 'security'].includes(field))) {
      data.serverInfo = Prisma.DbNull;
      data.capabilities = Prisma.DbNull;
    }
  }
  return { data, changed, reconnect };
}
