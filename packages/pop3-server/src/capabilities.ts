import type { ResolvedCapabilities } from './options';

/** The CAPA list for this moment of a session (RFC 2449 section 6). */
export function capabilityLines(
  capabilities: ResolvedCapabilities,
  context: { stlsAvailable: boolean; authenticated: boolean },
): string[] {
  const lines: string[] = [];
  if (capabilities.top) lines.push('TOP');
  if (capabilities.uidl) lines.push('UIDL');
  if (capabilities.respCodes) lines.push('RESP-CODES');
  if (capabilities.authRespCode) lines.push('AUTH-RESP-CODE');
  if (capabilities.pipelining) lines.push('PIPELINING');
  if (capabilities.loginDelay !== undefined) lines.push(`LOGIN-DELAY ${capabilities.loginDelay}`);
  if (capabilities.expire !== undefined) lines.push(`EXPIRE ${capabilities.expire}`);
  if (capabilities.utf8) lines.push('UTF8 USER');
  // Login methods only matter before login; RFC 2449 lets servers drop them afterwards.
  if (!context.authenticated) {
    if (context.stlsAvailable) lines.push('STLS');
    if (capabilities.user) lines.push('USER');
    if (capabilities.sasl.length > 0) lines.push(`SASL ${capabilities.sasl.join(' ')}`);
  }
  lines.push(`IMPLEMENTATION ${capabilities.implementation}`);
  return lines;
}
