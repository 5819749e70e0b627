import type { ServerInfo } from '@popgate/contracts';

/** A fact about a POP3 server, for people. */
export interface InfoRow {
  label: string;
  value: string;
}

/** "loginDelay" as "Login delay". */
const humanLabel = (key: string) =>
  key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

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

/** "CN=mail.example.com" out of an OpenSSL subject, else the subject as it is. */
const commonName = (subject: string) => /(?:^|\n|,\s*)CN=([^\n,]+)/.exec(subject)?.[1] ?? subject;

function describeKnown(info: ServerInfo): InfoRow[] {
  const rows: InfoRow[] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value) rows.push({ label, value });
  };
  add('Server software', info.implementation ?? undefined);
  add('Greeting', info.greeting);
  add('Address', `${info.host}:${info.port}${info.address ? ` (${info.address})` : ''}`);
  if (info.tls) {
    add('Encryption', [info.tls.protocol, info.tls.cipher].filter(Boolean).join(', '));
    if (info.tls.subject) add('Certificate for', commonName(info.tls.subject));
    if (info.tls.issuer) add('Certificate issued by', commonName(info.tls.issuer));
    if (info.tls.validTo) add('Certificate valid until', info.tls.validTo);
    add('Certificate fingerprint (SHA-256)', info.tls.fingerprint256);
    add(
      'Trusted because',
      info.tls.trustedBy === 'pin' ? 'its fingerprint is pinned' : 'a known authority signed it',
    );
  } else if (info.security === 'none') {
    add('Encryption', 'none');
  }
  add('Signed in with', info.authenticatedWith ?? undefined);
  add('Sign-in methods offered', info.authMechanisms.join(', '));
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

const isServerInfo = (info: object): info is ServerInfo =>
  'greeting' in info && 'capabilities' in info;

/**
 * What the server said about itself, as label/value rows: the server info the API sends, and
 * anything else (from an older server, say) as its fields are named.
 */
export function describeServerInfo(info: ServerInfo | object | null | undefined): InfoRow[] {
  if (!info || Array.isArray(info)) return [];
  if (isServerInfo(info)) return describeKnown(info);
  const rows: InfoRow[] = [];
  for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
    const shown = humanValue(value);
    if (shown !== null) rows.push({ label: humanLabel(key), value: shown });
  }
  return rows;
}
