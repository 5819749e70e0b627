import type { IdentityIn, IdentityPatch } from '@popgate/contracts';
import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import { uuidV7 } from '../db/uuid-v7';
import { accountSignInFor, bindSmtpHost, type AccountSignIn } from '../oauth/smtp-binding';
import { invalid, refused } from '../domain-errors';
import { Prisma, type Identity, type Pop3Account } from '../generated/prisma/client';
import { loadPolicy } from '../accounts/account-policy-check';
import { ownedAccount } from '../accounts/owned-account';
import { normalizeHost } from '../accounts/policy-host-rules';
import { NO_IDENTITY_SECRET, sealIdentitySecret } from './identity-secret';
import { ownedIdentity } from './owned-identity';
import { storedSignature } from './signature';
import { smtpAuthToDb } from './smtp-auth-names';
import { checkSmtpHost, checkSmtpPort, checkSmtpSecurity } from './smtp-policy-check';
import {
  requireAccountPasswordDestination,
  requireSmtpSecretFor,
  smtpDestinationChanges,
} from './smtp-secret-destination';

/** Enough for every address a person sends as; a bound on what one user can store. */
export const MAX_IDENTITIES_PER_USER = 50;

export interface IdentityDeps {
  prisma: Db;
  keyring: Keyring;
  allowPrivateNetworks: boolean;
}

/** An emptied field of the form means "none". */
const orNull = (value: string | null | undefined) => value || null;

/**
 * Stores a new identity for one of the user's accounts (404 for anyone else's). The SMTP server
 * is held to the admin policy (ports, TLS, hosts and networks); without a password of its own the
 * identity signs in with the account's POP3 password, which only goes to a server of the same
 * domain as the POP3 server (400 PASSWORD_REQUIRED otherwise). Its own password is sealed for it.
 */
export async function createIdentity(
  deps: IdentityDeps,
  userId: string,
  input: IdentityIn,
): Promise<Identity> {
  const { prisma, keyring } = deps;
  const account = await ownedAccount(prisma, userId, input.accountId);
  const host = normalizeHost(input.smtp.host);
  const policy = await loadPolicy(prisma);
  checkSmtpPort(input.smtp.port, policy);
  checkSmtpSecurity(input.smtp.security, policy);
  await checkSmtpHost(host, policy, deps);
  if (input.smtp.password !== undefined && input.smtp.useAccountSignIn) {
    throw invalid('VALIDATION', 'body/smtp: give either a password or useAccountSignIn, not both');
  }
  // An account signed in with a provider sends with its tokens, to a host chosen for them.
  const signIn =
    input.smtp.password === undefined
      ? await accountSignInFor(prisma, account.id, host, input.smtp.useAccountSignIn === true)
      : null;
  if (input.smtp.password === undefined && !signIn) {
    requireAccountPasswordDestination(account.host, host);
  }
  const count = await prisma.identity.count({ where: { userId } });
  if (count >= MAX_IDENTITIES_PER_USER) {
    throw refused(
      'TOO_MANY_IDENTITIES',
      `You have ${count} identities, the most this Popgate allows; remove one to add another`,
    );
  }
  const id = uuidV7();
  const created = prisma.identity.create({
    data: {
      id,
      userId,
      accountId: account.id,
      name: input.name,
      address: input.address,
      replyTo: input.replyTo ?? undefined,
      ...storedSignature(input.signature ?? { format: 'text', content: '' }),
      smtpHost: host,
      smtpPort: input.smtp.port,
      smtpSecurity: input.smtp.security,
      smtpUsername: input.smtp.username ?? account.username,
      smtpAuth: signIn ? 'xoauth2' : smtpAuthToDb(input.smtp.auth ?? 'auto'),
      ...(input.smtp.password !== undefined
        ? sealIdentitySecret(keyring, id, input.smtp.password)
        : NO_IDENTITY_SECRET),
      smtpTlsCaPem: orNull(input.smtp.tls?.caPem),
      smtpTlsPinSha256: orNull(input.smtp.tls?.pinSha256),
    },
  });
  if (!signIn?.bind) return created;
  const [identity] = await prisma.$transaction([created, bindSmtpHost(prisma, signIn.grant, host)]);
  return identity;
}

export interface IdentityUpdate {
  identity: Identity;
  /** Names of the fields that changed (never their values: the password is among them). */
  changed: string[];
}

/**
 * Applies a PATCH to one of the user's identities. Values equal to the stored ones are not
 * changes. A new server, port, security, user name or trusted certificate needs the password in
 * the same request, or `useAccountPassword: true` (400 PASSWORD_REQUIRED); only what changes is
 * held to the admin policy, so renaming keeps working after the admin tightens the rules.
 */
export async function updateIdentity(
  deps: IdentityDeps,
  userId: string,
  id: string,
  patch: IdentityPatch,
): Promise<IdentityUpdate> {
  const { prisma, keyring } = deps;
  const current = await ownedIdentity(prisma, userId, id);
  const smtp = patch.smtp ?? {};
  if (
    [smtp.password !== undefined, smtp.useAccountPassword, smtp.useAccountSignIn].filter(Boolean)
      .length > 1
  ) {
    throw invalid(
      'VALIDATION',
      'body/smtp: give one of a password, useAccountPassword or useAccountSignIn',
    );
  }
  const data: Prisma.IdentityUncheckedUpdateInput = {};
  const changed: string[] = [];
  const set = <K extends keyof Identity>(field: string, column: K, value: Identity[K]) => {
    if (value === current[column]) return;
    (data as Record<string, unknown>)[column] = value;
    if (!changed.includes(field)) changed.push(field);
  };

  if (patch.name !== undefined) set('name', 'name', patch.name);
  if (patch.address !== undefined) set('address', 'address', patch.address);
  if (patch.replyTo !== undefined) {
    const next = patch.replyTo;
    if (JSON.stringify(next) !== JSON.stringify(current.replyTo ?? null)) {
      data.replyTo = next ?? Prisma.DbNull;
      changed.push('replyTo');
    }
  }
  if (patch.signature !== undefined) {
    const stored = storedSignature(patch.signature);
    set('signature', 'signature', stored.signature);
    set('signature', 'signatureHtml', stored.signatureHtml);
  }
  if (smtp.host !== undefined) set('smtp.host', 'smtpHost', normalizeHost(smtp.host));
  if (smtp.port !== undefined) set('smtp.port', 'smtpPort', smtp.port);
  if (smtp.security !== undefined) set('smtp.security', 'smtpSecurity', smtp.security);
  if (smtp.username !== undefined) set('smtp.username', 'smtpUsername', smtp.username);
  if (smtp.auth !== undefined) set('smtp.auth', 'smtpAuth', smtpAuthToDb(smtp.auth));
  if (smtp.tls?.caPem !== undefined) set('smtp.tls', 'smtpTlsCaPem', orNull(smtp.tls.caPem));
  if (smtp.tls?.pinSha256 !== undefined) {
    set('smtp.tls', 'smtpTlsPinSha256', orNull(smtp.tls.pinSha256));
  }

  const nextHost = (data.smtpHost as string | undefined) ?? current.smtpHost;
  let signIn: AccountSignIn | null = null;
  if (smtp.password !== undefined) {
    Object.assign(data, sealIdentitySecret(keyring, current.id, smtp.password));
    changed.push('smtp.password');
  } else if (smtp.useAccountSignIn) {
    // The user's consent to send the account's tokens to this host, with the host itself.
    signIn = await accountSignInFor(prisma, current.accountId, nextHost, true);
    if (current.smtpSecretCiphertext) {
      Object.assign(data, NO_IDENTITY_SECRET);
      changed.push('smtp.password');
    }
    set('smtp.auth', 'smtpAuth', 'xoauth2');
  } else if (smtp.useAccountPassword) {
    // The account's secret: its sign-in's tokens (to a host chosen for them) or its password.
    const accountSignIn = await accountSignInFor(prisma, current.accountId, nextHost, false);
    if (!accountSignIn) requireAccountPasswordDestination(current.account.host, nextHost);
    if (current.smtpSecretCiphertext) {
      Object.assign(data, NO_IDENTITY_SECRET);
      changed.push('smtp.password');
    }
  } else if (smtpDestinationChanges(current, smtp).length > 0) {
    // The stored secret (own or the account's) goes nowhere it was not stored for.
    requireSmtpSecretFor(current, smtp);
  }

  if (changed.length > 0) {
    const policy = await loadPolicy(prisma);
    if (data.smtpPort !== undefined) checkSmtpPort(data.smtpPort as number, policy);
    if (data.smtpSecurity !== undefined && smtp.security) checkSmtpSecurity(smtp.security, policy);
    if (data.smtpHost !== undefined) await checkSmtpHost(nextHost, policy, deps);
  }
  const update = prisma.identity.update({ where: { id: current.id }, data });
  const identity = signIn?.bind
    ? (await prisma.$transaction([update, bindSmtpHost(prisma, signIn.grant, nextHost)]))[0]
    : changed.length > 0
      ? await update
      : current;
  return { identity, changed };
}

/** Removes one of the user's identities (404 for anyone else's); returns what it was. */
export async function removeIdentity(
  prisma: Db,
  userId: string,
  id: string,
): Promise<Identity & { account: Pop3Account }> {
  const identity = await ownedIdentity(prisma, userId, id);
  await prisma.identity.delete({ where: { id: identity.id } });
  return identity;
}
