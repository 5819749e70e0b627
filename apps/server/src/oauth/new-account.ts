import type { Security } from '@popgate/contracts';
import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import { refused, unprocessable } from '../domain-errors';
import type { Policy, Prisma } from '../generated/prisma/client';
import {
  checkAccountCount,
  checkHostForAccount,
  checkPort,
  checkSecurity,
  loadPolicy,
} from '../accounts/account-policy-check';
import { accountPolicyDefaults } from '../accounts/account-defaults';
import { linkAccount } from '../accounts/link-account';
import { normalizeHost } from '../accounts/policy-host-rules';
import { addressParts } from '../autoconfig/email-address';
import { lookupSettings } from '../autoconfig/lookup';
import { MAX_IDENTITIES_PER_USER } from '../identities/identity-changes';
import { checkSmtpHost, checkSmtpPort, checkSmtpSecurity } from '../identities/smtp-policy-check';

type Tx = Prisma.TransactionClient;

/**
 * An account made by signing in alone: the user gives an address, the servers come from the
 * provider presets or the address's autoconfiguration, and the callback stores account, identity
 * and grant together once the provider has vouched for the user.
 */

export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  /**
   * A CA the server's certificate chains to, besides the public ones: never from autoconfig
   * (public providers have public certificates); a source of the operator's own, or a test's.
   */
  caPem?: string;
}

/** What an address's provider is reached at, as a settings lookup answers it. */
export interface SignInSettings {
  pop3: ServerSettings;
  /** Null: no SMTP server known, the account is made without an identity. */
  smtp: ServerSettings | null;
  /** The user name the provider expects (the address, or its local part). */
  username: string;
  /** The provider the address signs in with, when the settings say (google, microsoft…). */
  oauth: string | null;
}

/**
 * Finds the settings of an address (INVALID_EMAIL for a malformed one; a DomainError when none
 * can be relied on). The server's lookup is the autoconfiguration's; tests pass their own.
 */
export type SignInSettingsLookup = (email: string, policy: Policy) => Promise<SignInSettings>;

/** What a sign-in in progress keeps of the account it is to create (oauth_authorizations). */
export interface NewAccountSpec {
  email: string;
  label: string;
  username: string;
  pop3: ServerSettings;
  smtp: ServerSettings | null;
}

/**
 * Presets first, then the domain's autoconfig document, then its MX records (as GET
 * /api/autoconfig answers); a mere guess of host names is not enough to sign in to.
 */
export const autoconfigSignInSettings =
  (options: { allowPrivateNetworks: boolean }): SignInSettingsLookup =>
  async (email, policy) => {
    const found = await lookupSettings(email, {
      policy,
      allowPrivateNetworks: options.allowPrivateNetworks,
    });
    if (!found.popAvailable || !found.pop3) {
      throw refused(
        'POP_UNAVAILABLE',
        `${found.provider ?? 'This provider'} offers no POP3 server, so Popgate cannot fetch this mailbox${found.notes[0] ? `: ${found.notes[0]}` : ''}`,
      );
    }
    if (found.source === 'guess') {
      throw unprocessable(
        'SETTINGS_UNKNOWN',
        `Popgate could not find the servers of ${addressParts(email).domain}: add the account with its server settings, then sign in`,
      );
    }
    return { pop3: found.pop3, smtp: found.smtp, username: found.username, oauth: found.oauth };
  };

interface CheckDeps {
  allowPrivateNetworks: boolean;
}

/** The admin policy as it stands now, for both servers (refused with its own words). */
async function checkServers(
  deps: CheckDeps,
  policy: Policy,
  pop3: ServerSettings,
  smtp: ServerSettings | null,
) {
  checkPort(pop3.port, policy);
  checkSecurity(pop3.security, policy);
  await checkHostForAccount(pop3.host, policy, deps);
  if (!smtp) return;
  checkSmtpPort(smtp.port, policy);
  checkSmtpSecurity(smtp.security, policy);
  await checkSmtpHost(smtp.host, policy, deps);
}

/**
 * The account a sign-in is to create for `email`, checked before the user is sent to the
 * provider: its settings found, the provider the right one, the admin policy (servers, number of
 * accounts) met. Nothing is stored here.
 */
export async function planNewAccount(
  deps: CheckDeps & { prisma: Db; lookup: SignInSettingsLookup },
  input: {
    userId: string;
    email: string;
    label?: string;
    provider: { name: string; label: string };
  },
): Promise<NewAccountSpec> {
  const address = addressParts(input.email);
  const policy = await loadPolicy(deps.prisma);
  const settings = await deps.lookup(address.address, policy);
  if (settings.oauth && settings.oauth !== input.provider.name) {
    throw refused(
      'OAUTH_OTHER_PROVIDER',
      `${address.domain} signs in with ${settings.oauth === 'google' ? 'Google' : settings.oauth === 'microsoft' ? 'Microsoft' : settings.oauth}, not ${input.provider.label}`,
    );
  }
  const pop3 = { ...settings.pop3, host: normalizeHost(settings.pop3.host) };
  const smtp = settings.smtp && { ...settings.smtp, host: normalizeHost(settings.smtp.host) };
  await checkServers(deps, policy, pop3, smtp);
  await checkAccountCount(deps.prisma, input.userId, policy);
  return {
    email: address.address,
    label: input.label ?? address.address,
    username: settings.username,
    pop3,
    smtp,
  };
}

/** The same lock as POST /api/accounts: one user's account creations take turns. */
const ACCOUNT_LIMIT_LOCK = 7270702;

/**
 * Who the provider says signed in, when it is an address: the user name and the identity's
 * address follow it (the user may have signed in with another of their addresses).
 */
export interface SignedInPerson {
  address: string | null;
  name: string | null;
}

/** The user name for the new account: the signed-in address where the settings use addresses. */
function usernameFor(spec: NewAccountSpec, person: SignedInPerson): string {
  if (!person.address || spec.username !== spec.email) return spec.username;
  return person.address;
}

/**
 * Checks the plan again (the policy may have changed while the user was at the provider) and
 * answers the function that stores account and identity inside the caller's transaction, which
 * also stores the grant: all of it, or nothing.
 */
export async function prepareNewAccount(
  deps: CheckDeps & { prisma: Db; keyring: Keyring },
  input: { userId: string; spec: NewAccountSpec; person: SignedInPerson },
) {
  const policy = await loadPolicy(deps.prisma);
  const { spec, person } = input;
  await checkServers(deps, policy, spec.pop3, spec.smtp);
  const username = usernameFor(spec, person);
  return async (tx: Tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACCOUNT_LIMIT_LOCK}::int, hashtext(${input.userId}))`;
    await checkAccountCount(tx, input.userId, policy);
    const account = await linkAccount(tx, deps.keyring, input.userId, {
      label: spec.label,
      host: spec.pop3.host,
      port: spec.pop3.port,
      security: spec.pop3.security,
      tls: { caPem: spec.pop3.caPem ?? null },
      username,
      // No password: the account signs in with the grant's tokens.
      password: '',
      auth: 'xoauth2',
      policy: accountPolicyDefaults(policy),
    });
    const identities = await tx.identity.count({ where: { userId: input.userId } });
    if (spec.smtp && identities < MAX_IDENTITIES_PER_USER) {
      await tx.identity.create({
        data: {
          userId: input.userId,
          accountId: account.id,
          name: (person.name ?? '').replace(/[\r\n]+/g, ' ').slice(0, 200),
          address: person.address ?? spec.email,
          smtpHost: spec.smtp.host,
          smtpPort: spec.smtp.port,
          smtpSecurity: spec.smtp.security,
          smtpUsername: username,
          smtpAuth: 'xoauth2',
          smtpTlsCaPem: spec.smtp.caPem ?? null,
        },
      });
    }
    return account;
  };
}
