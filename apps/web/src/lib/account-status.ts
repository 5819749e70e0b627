import {
  DEFAULT_ACCOUNT_POLICY,
  pollSecondsWhileOpen,
  type AccountOut,
  type AccountStatus,
  type AccountTestError,
} from '@popgate/contracts';

export type Tone = 'ok' | 'busy' | 'warn' | 'error' | 'idle';

export interface StatusText {
  label: string;
  tone: Tone;
}

const STATUS: Record<AccountStatus, StatusText> = {
  new: { label: 'Waiting for the first check', tone: 'idle' },
  ok: { label: 'Up to date', tone: 'ok' },
  syncing: { label: 'Checking for mail…', tone: 'busy' },
  auth_failed: { label: 'Password rejected', tone: 'error' },
  in_use: { label: 'Mailbox in use elsewhere', tone: 'warn' },
  login_delay: { label: 'Waiting: the server limits logins', tone: 'warn' },
  temp_error: { label: 'Temporary server problem', tone: 'warn' },
  perm_error: { label: 'The server refused', tone: 'error' },
  network_error: { label: 'Cannot reach the server', tone: 'error' },
  tls_error: { label: 'Secure connection failed', tone: 'error' },
  disabled: { label: 'Paused', tone: 'idle' },
};

/** Every state an account can be in, in the order people think of them. */
export const ACCOUNT_STATUSES = Object.keys(STATUS) as AccountStatus[];

export const isAccountStatus = (value: string): value is AccountStatus =>
  Object.hasOwn(STATUS, value);

/** A state in words; one this page does not know yet (from a newer server) as it is named. */
export function describeStatus(status: string): StatusText {
  return isAccountStatus(status) ? STATUS[status] : { label: status, tone: 'idle' };
}

/** An account whose provider withdrew its sign-in (OAuth2): only signing in again helps. */
const signInExpired = (account: Pick<AccountOut, 'status' | 'lastErrorCode'>) =>
  account.status === 'auth_failed' && account.lastErrorCode === 'OAUTH_REAUTH';

/** An account's state in words, as the account's own card says it. */
export function describeAccountStatus(account: AccountOut): StatusText {
  if (!account.disabled && signInExpired(account)) {
    return { label: 'Sign-in needed', tone: 'error' };
  }
  return describeStatus(account.disabled ? 'disabled' : account.status);
}

/** What to do about an account's state, in plain words; null when all is well. */
export interface AccountFix {
  text: string;
  /**
   * The one thing that fixes it: edit the password, review the connection, resume, or sign in
   * at the provider again (`oauth`: the provider to sign in to is `provider`).
   */
  action: 'password' | 'connection' | 'resume' | 'wait' | 'oauth' | null;
  actionLabel?: string;
  provider?: string;
}

/** A statement ends with its full stop (a server's message may come without one). */
const asSentence = (text: string) => (/[.!?…]["”’)]?$/.test(text) ? text : `${text}.`);

/** `providerLabel`: the name of an OAuth2 provider as this Popgate calls it (Google, …). */
export function accountFix(
  account: AccountOut,
  providerLabel: (name: string) => string = (name) => name,
): AccountFix | null {
  // The server's last error is a whole statement (with the POP3 server's own words quoted once):
  // it is shown as it is, followed by what to do, never quoted inside another sentence.
  const stated = (fallback: string) => asSentence(account.lastError?.trim() || fallback);
  if (!account.disabled && signInExpired(account)) {
    const provider = account.oauth?.provider ?? null;
    const name = provider ? providerLabel(provider) : 'your provider';
    if (!provider) {
      // Not linked any more: the account's page offers the sign-in again.
      return {
        text: `The sign-in at your provider was withdrawn or has expired. Popgate stopped checking this account until you sign in again.`,
        action: 'connection',
        actionLabel: 'Sign in again',
      };
    }
    return {
      text: `${name} no longer lets Popgate into this mailbox: the sign-in was withdrawn or has expired. Popgate stopped checking it until you sign in to ${name} again; your stored mail stays here.`,
      action: 'oauth',
      actionLabel: `Sign in to ${name} again`,
      provider,
    };
  }
  if (account.disabled || account.status === 'disabled') {
    return {
      text: 'Popgate is not checking this account.',
      action: 'resume',
      actionLabel: 'Resume checking',
    };
  }
  switch (account.status) {
    case 'auth_failed':
      return {
        text: `${stated('The server rejected the user name or password.')} Popgate stopped checking this account so as not to hammer the server with a wrong password; it starts again once you update the password.`,
        action: 'password',
        actionLabel: 'Update the password',
      };
    case 'tls_error':
      return {
        text: `${stated(`The secure connection to ${account.host} failed.`)} If the server's certificate changed, review it and trust it again.`,
        action: 'connection',
        actionLabel: 'Review the connection',
      };
    case 'network_error':
      return {
        text: `${stated(`Popgate could not reach ${account.host}:${account.port}.`)} Check the server name and port; Popgate keeps trying.`,
        action: 'connection',
        actionLabel: 'Check the settings',
      };
    case 'perm_error':
      if (isPolicyRefusal(account.lastErrorCode)) {
        // This Popgate's policy (changed since the account was linked), not the provider.
        return {
          text: `${stated('This Popgate’s policy refuses this server.')} Popgate stopped checking this account until the setting or the policy changes.`,
          action: 'connection',
          actionLabel: 'Check the settings',
        };
      }
      return {
        text: `${stated('The server refused to serve this mailbox.')} This usually needs a change at your provider (POP3 access switched off, account locked).`,
        action: 'connection',
        actionLabel: 'Check the settings',
      };
    case 'in_use':
      return {
        text: `Another program (a phone or desktop mail app) was reading this mailbox at the same time. Popgate tries again at the next check.`,
        action: 'wait',
      };
    case 'login_delay':
      return {
        text: `${stated('The server allows a login only every so often.')} Popgate waits as asked and then checks again.`,
        action: 'wait',
      };
    case 'temp_error':
      return {
        text: `${stated('The server had a temporary problem.')} Popgate tries again later.`,
        action: 'wait',
      };
    default:
      return null;
  }
}

/** A failed connection test, explained: what happened and what to do. */
export interface TestExplanation {
  title: string;
  detail: string;
  /** The form field to fix, focused for the user. */
  field?: 'host' | 'port' | 'security' | 'username' | 'password' | 'auth';
  /** For an untrusted certificate: its fingerprint, to pin if the user trusts it. */
  fingerprint?: string;
  /** Only the admin's policy can change this (an admin reading it gets a link to the setting). */
  policy?: boolean;
}

export function explainTestError(
  error: AccountTestError,
  settings: { host: string; port: number; security: string },
): TestExplanation {
  const where = `${settings.host}:${settings.port}`;
  const said = error.message ? ` (${error.message})` : '';
  // The server's own words, quoted once (the message around them is Popgate's).
  const serverSaid = error.serverText
    ? ` The server said: “${error.serverText}”${/[.!?…]$/.test(error.serverText) ? '' : '.'}`
    : '';
  switch (error.code) {
    case 'DNS':
      return {
        title: `The server name “${settings.host}” was not found.`,
        detail: 'Check its spelling: your provider lists it as the POP3 or incoming server.',
        field: 'host',
      };
    case 'REFUSED':
      return {
        title: `Nothing answered at ${where}.`,
        detail:
          'Check the port: POP3 uses 995 with SSL/TLS and 110 with STARTTLS or no encryption.',
        field: 'port',
      };
    case 'TIMEOUT':
      return {
        title: `${where} did not answer in time.`,
        detail:
          'Check the server name and port. A firewall may be dropping the connection, or the server is busy: try again in a minute.',
        field: 'port',
      };
    case 'TLS_UNTRUSTED':
      return {
        title: 'The server’s certificate is not trusted.',
        detail: error.fingerprint256
          ? 'It is not signed by an authority Popgate knows (often a self-signed certificate). If your provider or administrator confirms the fingerprint below, trust this certificate and Popgate will accept exactly this one.'
          : `It is not signed by an authority Popgate knows${said}.`,
        fingerprint: error.fingerprint256,
      };
    case 'TLS_FAILED':
      return {
        title: 'A secure connection could not be set up.',
        detail: `${error.message || 'The TLS handshake failed.'} Try the other kind of security: SSL/TLS on port 995, or STARTTLS on port 110.`,
        field: 'security',
      };
    case 'TLS_EXPECTED':
      return {
        title: `${where} expects SSL/TLS from the start.`,
        detail:
          'This port speaks encrypted POP3 from the first byte (usually port 995): choose SSL/TLS as the connection security, or STARTTLS with port 110.',
        field: 'security',
      };
    case 'STLS_UNAVAILABLE':
      return {
        title: 'This server does not offer STARTTLS.',
        detail:
          'Choose SSL/TLS (usually port 995). Use “None” only on a network you trust: the password would travel unencrypted.',
        field: 'security',
      };
    case 'AUTH_FAILED':
      return {
        title: 'The server rejected the user name or password.',
        detail: `Check both.${serverSaid} Some providers need an app password or POP3 access switched on in their settings.`,
        field: 'password',
      };
    case 'IN_USE':
      return {
        title: 'The mailbox is in use by another program.',
        detail:
          'A phone or desktop mail app is reading it right now. Try again in a minute, or close the other app.',
      };
    case 'LOGIN_DELAY':
      return {
        title: 'The server asks to wait between logins.',
        detail: `Try again later.${serverSaid} Popgate respects the delay when it checks for mail.`,
      };
    case 'PROTOCOL':
      return {
        title: `The server at ${where} did not speak POP3 as expected.`,
        detail:
          `${error.message || ''} Check the port and the security setting: this may be another service.`.trim(),
        field: 'port',
      };
    case 'BLOCKED_HOST':
      // The server says why: its admin's policy refuses the host, or it is a private address.
      return {
        title: `Popgate may not connect to ${settings.host}.`,
        detail: /admin/i.test(error.message)
          ? asSentence(error.message)
          : `${asSentence(error.message || 'It is a local or private network address.')} This Popgate reaches a private or loopback network only when an admin lists it under “Allowed networks” on the Policy page.`,
        field: 'host',
        policy: true,
      };
    default:
      return { title: 'The connection test failed.', detail: error.message };
  }
}

/** Refusals by the admin's policy: only an admin can change what they refuse. */
const POLICY_CODES = new Set([
  'PORT_NOT_ALLOWED',
  'HOST_NOT_ALLOWED',
  'TLS_REQUIRED',
  'POLL_TOO_OFTEN',
  'TOO_MANY_ACCOUNTS',
  'BLOCKED_HOST',
]);

export const isPolicyRefusal = (code: string | null | undefined): boolean =>
  !!code && POLICY_CODES.has(code);

/**
 * A refusal by the policy as its reader should see it: an admin is not told to "ask an admin"
 * but where to change the setting (the page shows the link).
 */
export function policyRefusalText(message: string, isAdmin: boolean): string {
  if (!isAdmin) return asSentence(message);
  const stripped = message.replace(/;\s*ask an admin if you need it/i, '').trim();
  return `${asSentence(stripped)} You are this Popgate’s admin: you can change this on the Policy page.`;
}

/** The schedule as it really runs: the account's own interval, and while Popgate is open. */
export function describeSchedule(pollSeconds: number): string {
  const minutes = (seconds: number) => {
    const value = Math.round(seconds / 60);
    return value <= 1 ? 'every minute' : `every ${value} min`;
  };
  const open = pollSecondsWhileOpen(pollSeconds);
  if (open === pollSeconds) {
    return pollSeconds > DEFAULT_ACCOUNT_POLICY.pollSeconds
      ? `checked ${minutes(pollSeconds)}, also while you have Popgate open`
      : `checked ${minutes(pollSeconds)}`;
  }
  return `checked ${minutes(pollSeconds)}; ${minutes(open)} while you have Popgate open`;
}

/** Statuses after which Popgate stops checking until the user changes something. */
const STOPPED: ReadonlySet<string> = new Set(['auth_failed', 'perm_error']);
/** Further ahead than this, a "next check" is a placeholder, not a plan. */
const PLANNED_WITHIN_MS = 7 * 86_400_000;

/**
 * When the next check comes, in words, or null when there is a time to show: "not planned" for
 * a paused account, what Popgate waits for after a refusal, "any moment" once overdue.
 */
export function nextCheckText(
  account: Pick<AccountOut, 'disabled' | 'status' | 'nextSyncAt' | 'oauth'>,
  now: number,
): string | null {
  if (account.disabled || account.status === 'disabled') return 'not planned (paused)';
  if (account.status === 'syncing') return 'checking now';
  if (STOPPED.has(account.status)) {
    if (account.status === 'perm_error') return 'once the settings are fixed';
    return account.oauth ? 'once you sign in again' : 'once you update the password';
  }
  if (!account.nextSyncAt) return 'not planned';
  const at = Date.parse(account.nextSyncAt);
  if (Number.isNaN(at) || at - now > PLANNED_WITHIN_MS) return 'not planned';
  if (at <= now) return 'any moment now';
  return null;
}
