import type { TlsTrust } from './transport/open-socket';

/** "tls": TLS from the first byte (port 995); "starttls": plain, then STLS; "none": no TLS at all. */
export type Pop3Security = 'tls' | 'starttls' | 'none';

export type Pop3AuthMechanism =
  'auto' | 'plain' | 'login' | 'cram-md5' | 'xoauth2' | 'oauthbearer' | 'apop' | 'user';

export interface Pop3AuthOptions {
  username: string;
  password?: string;
  /** OAuth 2.0 access token, for XOAUTH2 and OAUTHBEARER. */
  accessToken?: string;
  /** Default "auto": the best mechanism the server offers for these credentials. */
  mechanism?: Pop3AuthMechanism;
  /**
   * Allows PLAIN, LOGIN and USER/PASS on a connection without TLS. Off by default:
   * without it, only mechanisms that never send the password (CRAM-MD5, APOP) run in clear text.
   */
  allowPlaintextPassword?: boolean;
  /** SASL authorization identity, to act as another user (PLAIN, OAUTHBEARER). Rarely needed. */
  authorizationIdentity?: string;
}

export interface Pop3Timeouts {
  /** TCP connect plus TLS handshake (also the STLS handshake). Default 15 s. */
  connectMs?: number;
  /** From connection to the server's greeting. Default 20 s. */
  greetingMs?: number;
  /** Longest silence while an answer is awaited. Default 60 s. */
  commandMs?: number;
  /** Longest time without any command; the connection is then dropped without QUIT. Default 5 min. */
  idleMs?: number;
}

export interface Pop3Limits {
  /** Longest line accepted, status or data, in bytes. Default 1 MiB. */
  maxLineBytes?: number;
  /** Largest multi-line answer accepted (a message, a LIST), in bytes. Default 128 MiB. */
  maxMessageBytes?: number;
}

export interface Pop3LogEntry {
  direction: 'send' | 'receive';
  /** A command or status line; passwords and SASL data are replaced by "***". Never message data. */
  line: string;
}

export interface Pop3ConnectOptions {
  /** Server name: dialled unless `address` is given; always used for SNI and the certificate check. */
  host: string;
  /** Default 995 with "tls", 110 otherwise. */
  port?: number;
  /** IP address to dial, already resolved and checked by the caller; no DNS lookup happens then. */
  address?: string;
  /** Default "tls". */
  security?: Pop3Security;
  tls?: TlsTrust;
  /** Without it, the session stays unauthenticated (enough to read capabilities). */
  auth?: Pop3AuthOptions;
  timeouts?: Pop3Timeouts;
  limits?: Pop3Limits;
  /** Aborting ends the session at once, without QUIT. */
  signal?: AbortSignal;
  /** Use PIPELINING when the server offers it (default true); `window` caps commands in flight. */
  pipelining?: boolean | { window: number };
  /**
   * Send UTF8 (RFC 6856) before authenticating when the server offers it, so user names,
   * passwords and messages may be UTF-8 without downgrading. Default true: the library
   * never decodes message data, so it is always ready for UTF-8 mail.
   */
  utf8?: boolean;
  /** Receives every command and status line, secrets removed. */
  log?: (entry: Pop3LogEntry) => void;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  address?: string;
  security: Pop3Security;
  tls: TlsTrust;
  auth?: Pop3AuthOptions;
  connectMs: number;
  greetingMs: number;
  commandMs: number;
  idleMs: number;
  maxLineBytes: number;
  maxMessageBytes: number;
  signal?: AbortSignal;
  pipelining: boolean;
  pipelineWindow: number;
  utf8: boolean;
  log?: (entry: Pop3LogEntry) => void;
}

export const DEFAULT_PIPELINE_WINDOW = 32;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number`);
  return value;
}

export function resolveOptions(options: Pop3ConnectOptions): ResolvedOptions {
  if (!options.host) throw new TypeError('host is required');
  const security = options.security ?? 'tls';
  const pipelining = options.pipelining ?? true;
  return {
    host: options.host,
    port: positive(options.port, security === 'tls' ? 995 : 110, 'port'),
    ...(options.address ? { address: options.address } : {}),
    security,
    tls: options.tls ?? {},
    ...(options.auth ? { auth: options.auth } : {}),
    connectMs: positive(options.timeouts?.connectMs, 15_000, 'timeouts.connectMs'),
    greetingMs: positive(options.timeouts?.greetingMs, 20_000, 'timeouts.greetingMs'),
    commandMs: positive(options.timeouts?.commandMs, 60_000, 'timeouts.commandMs'),
    idleMs: positive(options.timeouts?.idleMs, 300_000, 'timeouts.idleMs'),
    maxLineBytes: positive(options.limits?.maxLineBytes, 1024 * 1024, 'limits.maxLineBytes'),
    maxMessageBytes: positive(
      options.limits?.maxMessageBytes,
      128 * 1024 * 1024,
      'limits.maxMessageBytes',
    ),
    ...(options.signal ? { signal: options.signal } : {}),
    pipelining: pipelining !== false,
    pipelineWindow:
      typeof pipelining === 'object'
        ? Math.floor(positive(pipelining.window, DEFAULT_PIPELINE_WINDOW, 'pipelining.window'))
        : DEFAULT_PIPELINE_WINDOW,
    utf8: options.utf8 ?? true,
    ...(options.log ? { log: options.log } : {}),
  };
}
