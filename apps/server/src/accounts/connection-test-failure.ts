import type { AccountTestError } from '@popgate/contracts';
import type { Pop3Error } from '@popgate/pop3';

/**
 * What a failed connection test tells the user: one of the codes the API promises, and in words
 * what happened and what to do. Every POP3 library error code lands on one of them.
 */
export function describeTestFailure(
  error: Pop3Error,
  target: { host: string; port: number },
): AccountTestError {
  const described = describeByCode(error, target);
  return error.serverText ? { ...described, serverText: error.serverText } : described;
}

function describeByCode(
  error: Pop3Error,
  target: { host: string; port: number },
): AccountTestError {
  const where = `${target.host} port ${target.port}`;
  // Quoted once, ending in one full stop (the server's words often bring their own).
  const said = error.serverText
    ? ` The server said: “${error.serverText}”${/[.!?…]$/.test(error.serverText) ? '' : '.'}`
    : '';
  const portHint = 'POP3 usually runs on port 995 with TLS, or on port 110 with STARTTLS';
  switch (error.code) {
    case 'DNS':
      return {
        code: 'DNS',
        message: `The server name ${target.host} could not be found. Check its spelling.`,
      };
    case 'REFUSED':
      return {
        code: 'REFUSED',
        message: `${where} refused the connection: no POP3 server is listening there. Check the server name and port (${portHint}).`,
      };
    case 'NETWORK':
      return {
        code: 'REFUSED',
        message: `${where} could not be reached (${error.message}). Check the server name and port, or try again later.`,
      };
    case 'CONNECTION_CLOSED':
      return {
        code: 'REFUSED',
        message: `${where} closed the connection before the test was done. Check that the security setting matches the port (${portHint}); the server may also be limiting connections, so try again later.`,
      };
    case 'TIMEOUT':
    case 'ABORTED':
      return {
        code: 'TIMEOUT',
        message: `${where} did not answer in time. The server may be down or a firewall may be dropping the connection; if the port expects TLS from the start (usually 995), choose TLS.`,
      };
    case 'TLS_UNTRUSTED':
      return {
        code: 'TLS_UNTRUSTED',
        message: untrustedMessage(error, target.host),
        ...(error.fingerprint256 ? { fingerprint256: error.fingerprint256 } : {}),
      };
    case 'TLS_FAILED':
      return {
        code: 'TLS_FAILED',
        message: `The encrypted connection to ${where} could not be set up (${error.message}). Check the security setting: ${portHint}.`,
      };
    case 'TLS_EXPECTED':
      return {
        code: 'TLS_EXPECTED',
        message: `${where} expects SSL/TLS from the start, not STARTTLS or no encryption. Choose SSL/TLS for this port (or STARTTLS on port 110).`,
      };
    case 'STLS_UNAVAILABLE':
      return {
        code: 'STLS_UNAVAILABLE',
        message: `${where} does not offer STARTTLS, so the connection cannot be encrypted there.${said} Choose TLS instead (usually on port 995).`,
      };
    case 'AUTH_FAILED':
      return {
        code: 'AUTH_FAILED',
        message: `The server rejected the user name or password. Check both and try again.${said}`,
      };
    case 'SYS_PERM':
      return {
        code: 'AUTH_FAILED',
        message: `The server refuses access to this mailbox for a reason on its side (a disabled or locked mailbox, for example); your mail provider can tell you more.${said}`,
      };
    case 'PLAINTEXT_REFUSED':
      return {
        code: 'AUTH_FAILED',
        message: `The server would only take the password unencrypted, and Popgate does not send it that way. Choose TLS or STARTTLS.`,
      };
    case 'NO_MECHANISM':
      return {
        code: 'AUTH_FAILED',
        message: `The server offers no way to log in that works with this login method (${error.message}). Choose "auto" or one of the methods the server offers.`,
      };
    case 'IN_USE':
      return {
        code: 'IN_USE',
        message: `Another program is reading this mailbox right now, and POP3 allows one at a time. Close it or wait until it is done, then try again.${said}`,
      };
    case 'SYS_TEMP':
      return {
        code: 'IN_USE',
        message: `The server has a temporary problem opening this mailbox. Try again in a few minutes.${said}`,
      };
    case 'LOGIN_DELAY':
      return {
        code: 'LOGIN_DELAY',
        message: `The server allows a login only every so often, and the last one was too recent. Wait a few minutes and try again; Popgate respects this delay when it checks for mail.${said}`,
      };
    case 'COMMAND_FAILED':
      return {
        code: 'PROTOCOL',
        message: `${where} refused a command during the test (${error.message}). It may not be a complete POP3 server; check the server name and port.`,
      };
    case 'PROTOCOL':
    case 'LIMIT_EXCEEDED':
    case 'INVALID_STATE':
      return {
        code: 'PROTOCOL',
        message: `${where} did not answer like a POP3 server (${error.message}). Check the port: ${portHint}.`,
      };
  }
}

function untrustedMessage(error: Pop3Error, host: string): string {
  const reason = /not trusted \(([^)]*)\)/.exec(error.message)?.[1];
  const why = reason ? ` (${reason})` : '';
  const pinned = error.message.includes('pinned fingerprint')
    ? ' It does not match the fingerprint pinned for this account: the certificate has changed.'
    : '';
  const fingerprint = error.fingerprint256
    ? ` Its SHA-256 fingerprint is ${error.fingerprint256}.`
    : '';
  return `The certificate of ${host} is not trusted${why}.${pinned}${fingerprint} If you know this server uses this certificate, trust it by pinning the fingerprint; otherwise do not go on, as someone may be intercepting the connection.`;
}
