import type { Pop3Capabilities } from './capabilities';
import type { Pop3Greeting } from './greeting';
import type { Pop3Security } from './options';
import type { Pop3TlsInfo } from './transport/certificate';

/** Everything worth showing about a server, in the spirit of `mpop --serverinfo`. */
export interface Pop3ServerInfo {
  host: string;
  port: number;
  /** The IP address connected to. */
  address: string | null;
  security: Pop3Security;
  greeting: string;
  /** The server offered APOP (its greeting carries a timestamp). */
  apop: boolean;
  implementation: string | null;
  /** False for an RFC 1939-only server: the fields below are then unknown, not absent. */
  capaSupported: boolean;
  /** CAPA lines as last received (after authentication when it happened). */
  capabilities: string[];
  /** What the server accepts for logging in: SASL mechanisms, plus USER and APOP. */
  authMechanisms: string[];
  /** The mechanism this session logged in with, if it did. */
  authenticatedWith: string | null;
  loginDelaySeconds: number | null;
  expire: number | 'never' | null;
  pipelining: boolean;
  top: boolean;
  uidl: boolean;
  utf8: boolean;
  stls: boolean;
  respCodes: boolean;
  authRespCode: boolean;
  tls: Pop3TlsInfo | null;
}

export interface ServerInfoSources {
  host: string;
  port: number;
  address: string | null;
  security: Pop3Security;
  greeting: Pop3Greeting;
  /** Capabilities seen before authentication: they list the login mechanisms. */
  capabilitiesBeforeAuth: Pop3Capabilities;
  capabilities: Pop3Capabilities;
  authenticatedWith: string | null;
  stlsOffered: boolean;
  tls: Pop3TlsInfo | null;
}

export function buildServerInfo(sources: ServerInfoSources): Pop3ServerInfo {
  const { capabilities, capabilitiesBeforeAuth: beforeAuth } = sources;
  const authMechanisms = [...beforeAuth.sasl];
  if (beforeAuth.user || !beforeAuth.capaSupported) authMechanisms.push('USER');
  if (sources.greeting.apopTimestamp) authMechanisms.push('APOP');
  return {
    host: sources.host,
    port: sources.port,
    address: sources.address,
    security: sources.security,
    greeting: sources.greeting.text,
    apop: sources.greeting.apopTimestamp !== null,
    implementation: capabilities.implementation ?? beforeAuth.implementation,
    capaSupported: capabilities.capaSupported,
    capabilities: [...capabilities.raw],
    authMechanisms,
    authenticatedWith: sources.authenticatedWith,
    loginDelaySeconds: capabilities.loginDelaySeconds,
    expire: capabilities.expire,
    pipelining: capabilities.pipelining,
    top: capabilities.top,
    uidl: capabilities.uidl,
    utf8: capabilities.utf8 || beforeAuth.utf8,
    stls: sources.stlsOffered,
    respCodes: capabilities.respCodes,
    authRespCode: beforeAuth.authRespCode,
    tls: sources.tls,
  };
}

/** A human-readable report, one fact per line. */
export function formatServerInfo(info: Pop3ServerInfo): string {
  const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
  const lines = [
    `POP3 server at ${info.host}:${info.port}${info.address ? ` (${info.address})` : ''}`,
  ];
  lines.push(`  greeting: ${info.greeting}`);
  if (info.tls) {
    lines.push(
      `  TLS: ${info.tls.protocol ?? '?'} ${info.tls.cipher} (trusted by ${info.tls.trustedBy})`,
    );
    lines.push(`    subject: ${info.tls.subject.replace(/\n/g, ', ')}`);
    lines.push(`    issuer: ${info.tls.issuer.replace(/\n/g, ', ')}`);
    lines.push(`    valid: ${info.tls.validFrom} to ${info.tls.validTo}`);
    lines.push(`    SHA-256 fingerprint: ${info.tls.fingerprint256}`);
  } else {
    lines.push('  TLS: none');
  }
  if (!info.capaSupported) {
    lines.push('  capabilities: unknown (the server does not support CAPA)');
  } else {
    lines.push(`  implementation: ${info.implementation ?? 'not announced'}`);
    lines.push(`  capabilities: ${info.capabilities.join(', ')}`);
    lines.push(
      `  pipelining: ${yesNo(info.pipelining)}, TOP: ${yesNo(info.top)}, UIDL: ${yesNo(info.uidl)}`,
    );
    lines.push(
      `  STLS: ${yesNo(info.stls)}, UTF8: ${yesNo(info.utf8)}, RESP-CODES: ${yesNo(info.respCodes)}`,
    );
    if (info.loginDelaySeconds !== null) lines.push(`  login delay: ${info.loginDelaySeconds} s`);
    if (info.expire !== null) {
      lines.push(
        `  messages expire: ${info.expire === 'never' ? 'never' : `after ${info.expire} days`}`,
      );
    }
  }
  lines.push(`  authentication: ${info.authMechanisms.join(', ') || 'none offered'}`);
  if (info.authenticatedWith) lines.push(`  logged in with: ${info.authenticatedWith}`);
  return lines.join('\n');
}
