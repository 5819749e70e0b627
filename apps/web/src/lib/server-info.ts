/** A fact about a POP3 server, for people. */
export interface InfoRow {
  label: string;
  value: string;
}

const LABELS: Record<string, string> = {
  greeting: 'Greeting',
  implementation: 'Software',
  capabilities: 'Capabilities',
  saslMechanisms: 'Sign-in methods',
  sasl: 'Sign-in methods',
  authMethod: 'Signed in with',
  auth: 'Signed in with',
  tlsVersion: 'TLS version',
  tlsProtocol: 'TLS version',
  cipher: 'Cipher',
  certificate: 'Certificate',
  certificateSubject: 'Certificate for',
  certificateIssuer: 'Certificate issued by',
  certificateValidTo: 'Certificate valid until',
  certificateExpires: 'Certificate valid until',
  fingerprint256: 'Certificate fingerprint (SHA-256)',
  pipelining: 'Pipelining',
  uidl: 'Unique ids (UIDL)',
  top: 'Headers only (TOP)',
  stls: 'STARTTLS',
  loginDelaySeconds: 'Minimum time between logins',
  loginDelay: 'Minimum time between logins',
  expire: 'Server keeps mail for',
  messageCount: 'Messages on the server',
  maildropSize: 'Mailbox size',
  mailboxBytes: 'Mailbox size',
  apop: 'APOP',
  utf8: 'UTF-8',
};

const humanLabel = (key: string) =>
  LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function humanValue(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(humanValue).filter((part): part is string => part !== null);
    return parts.length ? parts.join(', ') : null;
  }
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => {
        const shown = humanValue(inner);
        return shown === null ? null : `${humanLabel(key)}: ${shown}`;
      })
      .filter((part): part is string => part !== null);
    return parts.length ? parts.join('; ') : null;
  }
  return null;
}

/** The fields of the POP3 library's server info that people care about. */
interface KnownServerInfo {
  host?: string;
  port?: number;
  address?: string | null;
  security?: string;
  greeting?: string;
  implementation?: string | null;
  capaSupported?: boolean;
  authMechanisms?: string[];
  authenticatedWith?: string | null;
  loginDelaySeconds?: number | null;
  expire?: number | 'never' | null;
  pipelining?: boolean;
  top?: boolean;
  uidl?: boolean;
  utf8?: boolean;
  stls?: boolean;
  tls?: {
    protocol?: string | null;
    cipher?: string;
    subject?: string;
    issuer?: string;
    validTo?: string;
    fingerprint256?: string;
    trustedBy?: 'chain' | 'pin';
  } | null;
}

/** "CN=mail.example.com" out of an OpenSSL subject, else the subject as it is. */
const commonName = (subject: string) => /(?:^|\n|,\s*)CN=([^\n,]+)/.exec(subject)?.[1] ?? subject;

function describeKnown(info: KnownServerInfo): InfoRow[] {
  const rows: InfoRow[] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value) rows.push({ label, value });
  };
  add('Server software', info.implementation ?? undefined);
  add('Greeting', info.greeting);
  if (info.host)
    add('Address', `${info.host}:${info.port ?? ''}${info.address ? ` (${info.address})` : ''}`);
  if (info.tls) {
    add('Encryption', [info.tls.protocol, info.tls.cipher].filter(Boolean).join(', '));
    if (info.tls.subject) add('Certificate for', commonName(info.tls.subject));
    if (info.tls.issuer) add('Certificate issued by', commonName(info.tls.issuer));
    if (info.tls.validTo) add('Certificate valid until', info.tls.validTo);
    add('Certificate fingerprint (SHA-256)', info.tls.fingerprint256);
    if (info.tls.trustedBy) {
      add(
        'Trusted because',
        info.tls.trustedBy === 'pin' ? 'its fingerprint is pinned' : 'a known authority signed it',
      );
    }
  } else if (info.security === 'none') {
    add('Encryption', 'none');
  }
  add('Signed in with', info.authenticatedWith ?? undefined);
  add('Sign-in methods offered', info.authMechanisms?.join(', '));
  const features = (
    [
      ['UIDL', info.uidl],
      ['TOP', info.top],
      ['PIPELINING', info.pipelining],
      ['STLS', info.stls],
      ['UTF8', info.utf8],
    ] as const
  )
    .filter(([, on]) => on)
    .map(([name]) => name);
  if (info.capaSupported === false) add('Capabilities', 'not listed (an RFC 1939 server)');
  else add('Capabilities', features.join(', '));
  if (info.loginDelaySeconds) add('Minimum time between logins', `${info.loginDelaySeconds} s`);
  if (info.expire === 'never') add('Server keeps mail', 'forever');
  else if (typeof info.expire === 'number') add('Server keeps mail', `${info.expire} days`);
  return rows;
}

/** What the server said about itself (its shape is the server's), as label/value rows. */
export function describeServerInfo(info: unknown): InfoRow[] {
  if (!info || typeof info !== 'object' || Array.isArray(info)) return [];
  if ('greeting' in info && 'capabilities' in info) return describeKnown(info as KnownServerInfo);
  const rows: InfoRow[] = [];
  for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
    const shown = humanValue(value);
    if (shown !== null) rows.push({ label: humanLabel(key), value: shown });
  }
  return rows;
}
