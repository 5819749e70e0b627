/** A message as the client should receive it (see deliveredBytes for the exact rule). */
export interface ServerMessage {
  body: Buffer;
  /** Unique id for UIDL; one is assigned when missing and kept while the message stays. */
  uidl?: string;
}

export interface ServerUser {
  username: string;
  password: string;
  /** Bearer token for XOAUTH2 and OAUTHBEARER. */
  accessToken?: string;
}

export interface Pop3Capabilities {
  uidl?: boolean;
  top?: boolean;
  /** Advertised only: commands are always answered in order, however they arrive. */
  pipelining?: boolean;
  /** USER/PASS. */
  user?: boolean;
  /** SASL mechanisms offered by AUTH, in order: PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER. */
  sasl?: string[];
  /** APOP, with a timestamp in the greeting. */
  apop?: boolean;
  /** RESP-CODES: false strips every [CODE] from -ERR answers, as an old server would. */
  respCodes?: boolean;
  /** AUTH-RESP-CODE: false strips only [AUTH]. */
  authRespCode?: boolean;
  /** LOGIN-DELAY n (seconds); enforced only with Pop3ServerOptions.enforceLoginDelay. */
  loginDelay?: number;
  /** EXPIRE n | NEVER (advertised only; nothing expires). */
  expire?: string | number;
  implementation?: string;
  /** UTF8 (RFC 6856): advertises "UTF8 USER" and accepts the UTF8 command. */
  utf8?: boolean;
  /** false: CAPA answers -ERR, like a server from before RFC 2449. */
  capa?: boolean;
}

export interface Pop3ServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** 'tls': implicit TLS on the listening socket. Default 'none'. */
  security?: 'none' | 'tls';
  /** Offer STLS. */
  stls?: boolean;
  /** PEM pair for TLS and STLS; a self-signed one is generated when TLS is needed without it. */
  tlsCert?: { key: string; cert: string };
  /** Default: one user 'user' / 'secret' with access token 'user-access-token'. */
  users?: ServerUser[];
  /** Initial messages per username. */
  mailboxes?: Record<string, ServerMessage[]>;
  capabilities?: Pop3Capabilities;
  /** Greeting text after "+OK " (the APOP timestamp is appended when APOP is on). */
  greeting?: string;
  /** Refuse a login with [LOGIN-DELAY] when the user's previous one is more recent than loginDelay. */
  enforceLoginDelay?: boolean;
  /** Longest command line accepted, CRLF excluded. Default 1024. */
  maxLineLength?: number;
  /** Longest AUTH line or SASL response accepted. Default 16384 (bearer tokens are long). */
  maxSaslLineLength?: number;
}

export const DEFAULT_USERS: ServerUser[] = [
  { username: 'user', password: 'secret', accessToken: 'user-access-token' },
];

export const DEFAULT_SASL = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER'];

export type ResolvedCapabilities = Required<Omit<Pop3Capabilities, 'loginDelay' | 'expire'>> &
  Pick<Pop3Capabilities, 'loginDelay' | 'expire'>;

export function resolveCapabilities(given: Pop3Capabilities = {}): ResolvedCapabilities {
  return {
    uidl: given.uidl ?? true,
    top: given.top ?? true,
    pipelining: given.pipelining ?? true,
    user: given.user ?? true,
    sasl: (given.sasl ?? DEFAULT_SASL).map((mechanism) => mechanism.toUpperCase()),
    apop: given.apop ?? true,
    respCodes: given.respCodes ?? true,
    authRespCode: given.authRespCode ?? true,
    loginDelay: given.loginDelay,
    expire: given.expire,
    implementation: given.implementation ?? 'Popgate scriptable POP3 server',
    utf8: given.utf8 ?? false,
    capa: given.capa ?? true,
  };
}
