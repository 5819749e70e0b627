import { isPop3Error } from '@popgate/pop3';
import type { AccountStatus } from '../generated/prisma/enums';
import { SecretUnavailableError } from '../crypto/secret-box';
import { DomainError } from '../domain-errors';
import { HostRefusedError } from '../net/host-guard';
import { OAuthReauthRequiredError } from '../oauth/provider-failure';

/**
 * A running session was ended from outside because its account should no longer be checked: it
 * was switched off (or its user was), or removed. The connection is dropped without QUIT.
 */
export class SessionEndedError extends Error {
  constructor(readonly why: 'disabled' | 'removed') {
    super(
      why === 'disabled'
        ? 'The account was switched off while it was being checked; the check was stopped without changing anything on the server.'
        : 'The account was removed while it was being checked; the check was stopped without changing anything on the server.',
    );
    this.name = 'SessionEndedError';
  }
}

/** What a failed sync means for the account: its status, what to tell the user, when to retry. */
export interface SyncFailure {
  status: AccountStatus;
  code: string;
  message: string;
  retry: 'stop' | 'backoff' | 'in-use' | 'login-delay';
}

/**
 * Maps an error to the account's state. [AUTH] and permanent problems stop polling until the
 * user changes the account (a server is never hammered with a bad password); network and
 * temporary problems back off.
 */
export function classifyFailure(error: unknown): SyncFailure {
  if (error instanceof SecretUnavailableError) {
    return {
      status: 'perm_error',
      code: 'SECRET_UNAVAILABLE',
      message: error.message,
      retry: 'stop',
    };
  }
  if (error instanceof SessionEndedError) {
    return {
      status: 'temp_error',
      code: 'SESSION_ENDED',
      message: error.message,
      retry: 'backoff',
    };
  }
  // The provider withdrew the grant: like a rejected password, only the user can fix it.
  if (error instanceof OAuthReauthRequiredError) {
    return { status: 'auth_failed', code: 'OAUTH_REAUTH', message: error.message, retry: 'stop' };
  }
  // The provider did not answer in time, or not as OAuth2: it may next time.
  if (error instanceof DomainError && error.code.startsWith('OAUTH_') && error.kind !== 'refused') {
    return { status: 'temp_error', code: error.code, message: error.message, retry: 'backoff' };
  }
  if (error instanceof HostRefusedError) {
    return error.code === 'DNS'
      ? { status: 'network_error', code: 'DNS', message: error.message, retry: 'backoff' }
      : { status: 'perm_error', code: 'BLOCKED_HOST', message: error.message, retry: 'stop' };
  }
  // The admin policy refuses the connection (port, TLS, host lists).
  if (error instanceof DomainError && error.kind === 'refused') {
    return { status: 'perm_error', code: error.code, message: error.message, retry: 'stop' };
  }
  if (!isPop3Error(error)) {
    return {
      status: 'temp_error',
      code: 'INTERNAL',
      message: (error as Error)?.message ?? String(error),
      retry: 'backoff',
    };
  }
  // Quoted once, ending in one full stop (the server's words often bring their own).
  const server = error.serverText
    ? ` The server said: “${error.serverText}”${/[.!?…]$/.test(error.serverText) ? '' : '.'}`
    : '';
  switch (error.code) {
    case 'AUTH_FAILED':
      // A statement of what happened: the app adds what to do (update the password).
      return {
        status: 'auth_failed',
        code: 'AUTH_FAILED',
        message: `The server rejected the user name or password.${server}`,
        retry: 'stop',
      };
    case 'SYS_PERM':
      return {
        status: 'perm_error',
        code: 'SYS_PERM',
        message: `The server refuses access to this mailbox.${server}`,
        retry: 'stop',
      };
    case 'STLS_UNAVAILABLE':
    case 'TLS_EXPECTED':
    case 'PLAINTEXT_REFUSED':
    case 'NO_MECHANISM':
      return { status: 'perm_error', code: error.code, message: error.message, retry: 'stop' };
    case 'IN_USE':
      return {
        status: 'in_use',
        code: 'IN_USE',
        message: `Another program is reading this mailbox right now.${server}`,
        retry: 'in-use',
      };
    case 'LOGIN_DELAY':
      return {
        status: 'login_delay',
        code: 'LOGIN_DELAY',
        message: `The server asks to wait longer between checks.${server}`,
        retry: 'login-delay',
      };
    case 'TLS_UNTRUSTED':
    case 'TLS_FAILED':
      return { status: 'tls_error', code: error.code, message: error.message, retry: 'backoff' };
    case 'DNS':
    case 'REFUSED':
    case 'NETWORK':
    case 'TIMEOUT':
    case 'CONNECTION_CLOSED':
      return {
        status: 'network_error',
        code: error.code,
        message: error.message,
        retry: 'backoff',
      };
    default:
      return { status: 'temp_error', code: error.code, message: error.message, retry: 'backoff' };
  }
}
