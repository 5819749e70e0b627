import { Pop3Error, type Pop3ErrorCode } from '../errors';

/** A response text split into its optional extended response code and the rest. */
export interface ResponseText {
  /** Upper-cased code without brackets, e.g. "SYS/TEMP", or undefined. */
  responseCode?: string;
  /** Everything after the code. */
  text: string;
}

/**
 * RFC 2449 section 8: a response code is a bracketed token right after the status
 * indicator. Codes are hierarchical ("SYS/TEMP"), so an unknown child of a known parent
 * is treated as the parent.
 */
export function splitResponseCode(text: string): ResponseText {
  if (!text.startsWith('[')) return { text };
  const close = text.indexOf(']');
  if (close <= 1) return { text };
  const responseCode = text.slice(1, close).trim().toUpperCase();
  if (!/^[A-Z0-9/-]+$/.test(responseCode)) return { text };
  return { responseCode, text: text.slice(close + 1).trimStart() };
}

const CODE_BY_RESPONSE_CODE: ReadonlyArray<[prefix: string, code: Pop3ErrorCode]> = [
  ['AUTH', 'AUTH_FAILED'],
  ['IN-USE', 'IN_USE'],
  ['LOGIN-DELAY', 'LOGIN_DELAY'],
  ['SYS/TEMP', 'SYS_TEMP'],
  ['SYS/PERM', 'SYS_PERM'],
];

/** Maps an extended response code to an error code; undefined when it says nothing specific. */
export function errorCodeForResponseCode(
  responseCode: string | undefined,
): Pop3ErrorCode | undefined {
  if (!responseCode) return undefined;
  for (const [prefix, code] of CODE_BY_RESPONSE_CODE) {
    if (responseCode === prefix || responseCode.startsWith(`${prefix}/`)) return code;
  }
  return undefined;
}

/**
 * Builds the error for a -ERR answer. `fallback` is the code used when the server gave no
 * response code that says more (a failed PASS is AUTH_FAILED, a failed RETR is COMMAND_FAILED).
 */
export function errorFromNegativeResponse(
  text: string,
  command: string,
  fallback: Pop3ErrorCode = 'COMMAND_FAILED',
): Pop3Error {
  const { responseCode, text: serverText } = splitResponseCode(text);
  const code = errorCodeForResponseCode(responseCode) ?? fallback;
  const shown = serverText || '(no text)';
  const bracket = responseCode ? `[${responseCode}] ` : '';
  return new Pop3Error(code, `${command} failed: -ERR ${bracket}${shown}`, {
    ...(responseCode === undefined ? {} : { responseCode }),
    serverText,
    command,
  });
}
