/** What the server says it can do (RFC 2449 CAPA), in a form callers can test directly. */
export interface Pop3Capabilities {
  /** False when the server does not know CAPA (an RFC 1939-only server): nothing below is known. */
  capaSupported: boolean;
  /** The CAPA lines as sent. */
  raw: string[];
  top: boolean;
  uidl: boolean;
  user: boolean;
  pipelining: boolean;
  respCodes: boolean;
  authRespCode: boolean;
  stls: boolean;
  utf8: boolean;
  /** UTF8 USER: UTF-8 user names and passwords are accepted with USER/PASS. */
  utf8User: boolean;
  /** SASL mechanisms, upper case. */
  sasl: string[];
  /** Minimum seconds between logins, or null when not announced. */
  loginDelaySeconds: number | null;
  /** Days messages stay on the server, "never", or null when not announced. */
  expire: number | 'never' | null;
  /**
   * LOGIN-DELAY or EXPIRE said USER before login (RFC 2449 section 6.5, 6.8): the values differ
   * by user, and only the CAPA after login tells this user's.
   */
  perUserValues: boolean;
  implementation: string | null;
}

export function unknownCapabilities(): Pop3Capabilities {
  return {
    capaSupported: false,
    raw: [],
    top: false,
    uidl: false,
    user: false,
    pipelining: false,
    respCodes: false,
    authRespCode: false,
    stls: false,
    utf8: false,
    utf8User: false,
    sasl: [],
    loginDelaySeconds: null,
    expire: null,
    perUserValues: false,
    implementation: null,
  };
}

/** Parses the lines of a +OK CAPA answer. Unknown capabilities are kept in `raw` only. */
export function parseCapabilities(lines: string[]): Pop3Capabilities {
  const capabilities = unknownCapabilities();
  capabilities.capaSupported = true;
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (!line) continue;
    capabilities.raw.push(line);
    const [name = '', ...args] = line.split(/\s+/);
    switch (name.toUpperCase()) {
      case 'TOP':
        capabilities.top = true;
        break;
      case 'UIDL':
        capabilities.uidl = true;
        break;
      case 'USER':
        capabilities.user = true;
        break;
      case 'PIPELINING':
        capabilities.pipelining = true;
        break;
      case 'RESP-CODES':
        capabilities.respCodes = true;
        break;
      case 'AUTH-RESP-CODE':
        capabilities.authRespCode = true;
        break;
      case 'STLS':
        capabilities.stls = true;
        break;
      case 'UTF8':
        capabilities.utf8 = true;
        capabilities.utf8User = args.some((arg) => arg.toUpperCase() === 'USER');
        break;
      case 'SASL':
        capabilities.sasl = args.map((mechanism) => mechanism.toUpperCase());
        break;
      case 'LOGIN-DELAY': {
        if (args[1]?.toUpperCase() === 'USER') capabilities.perUserValues = true;
        const seconds = Number.parseInt(args[0] ?? '', 10);
        if (Number.isFinite(seconds)) capabilities.loginDelaySeconds = seconds;
        break;
      }
      case 'EXPIRE': {
        if (args[1]?.toUpperCase() === 'USER') capabilities.perUserValues = true;
        const value = (args[0] ?? '').toUpperCase();
        if (value === 'NEVER') capabilities.expire = 'never';
        else {
          const days = Number.parseInt(value, 10);
          if (Number.isFinite(days)) capabilities.expire = days;
        }
        break;
      }
      case 'IMPLEMENTATION':
        capabilities.implementation = args.join(' ') || null;
        break;
    }
  }
  return capabilities;
}
