import type { AccountOut, AccountStatus, AccountTestError } from '@popgate/contracts';

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

/** `providerLabel`: the name of an OAuth2 provider as this Popgate calls it (Google, …). */
export function accountFix(
  account: AccountOut,
  providerLabel: (name: string) => string = (name) => name,
): AccountFix | null {
  const detail = account.lastError ? ` The server said: “${account.lastError}”.` : '';
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
        text: `The server rejected the user name or password.${detail} Popgate stopped checking this account so as not to hammer the server with a wrong password; it starts again once you update the password.`,
        action: 'password',
        actionLabel: 'Update the password',
      };
    case 'tls_error':
      return {
        text: `The secure connection to ${account.host} failed.${detail} If the server's certificate changed, review it and trust it again.`,
        action: 'connection',
        actionLabel: 'Review the connection',
      };
    case 'network_error':
      return {
        text: `Popgate could not reach ${account.host}:${account.port}.${detail} Check the server name and port; Popgate keeps trying.`,
        action: 'connection',
        actionLabel: 'Check the settings',
      };
    case 'perm_error':
      return {
        text: `The server refused to serve this mailbox.${detail} This usually needs a change at your provider (POP3 access switched off, account locked).`,
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
        text: `The server allows a login only every so often.${detail} Popgate waits as asked and then checks again.`,
        action: 'wait',
      };
    case 'temp_error':
      return {
        text: `The server had a temporary problem.${detail} Popgate tries again later.`,
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
}

export function explainTestError(
  error: AccountTestError,
  settings: { host: string; port: number; security: string },
): TestExplanation {
  const where = `${settings.host}:${settings.port}`;
  const said = error.message ? ` (${error.message})` : '';
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
        detail: `Check both here${said}. Some providers need an app password or POP3 access switched on in their settings.`,
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
        detail: `Try again later${said}; Popgate respects the delay when it checks for mail.`,
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
        detail: error.message
          ? error.message.replace(/\.?$/, '.')
          : 'It is a local or private network address, which this Popgate does not reach unless its administrator allows private networks.',
        field: 'host',
      };
    default:
      return { title: 'The connection test failed.', detail: error.message };
  }
}
