import { DomainError, refused } from '../domain-errors';
import type { Policy } from '../generated/prisma/client';
import type { Security } from '../generated/prisma/enums';
import { checkHost } from '../accounts/host-check';
import { HostRefusedError } from '../net/host-guard';

/**
 * The admin policy for SMTP servers: the same host and network lists and TLS rule as for POP3
 * servers, with ports of their own (allowedSmtpPorts, 465 and 587 by default).
 */

/** An empty list of allowed ports allows any port. */
export function checkSmtpPort(port: number, policy: Pick<Policy, 'allowedSmtpPorts'>): void {
  if (policy.allowedSmtpPorts.length === 0 || policy.allowedSmtpPorts.includes(port)) return;
  const ports = [...policy.allowedSmtpPorts].sort((a, b) => a - b).join(', ');
  throw refused(
    'PORT_NOT_ALLOWED',
    `This Popgate sends mail through SMTP servers on port ${ports} only, not ${port}; ask an admin if you need it`,
  );
}

export function checkSmtpSecurity(security: Security, policy: Pick<Policy, 'requireTls'>): void {
  if (policy.requireTls && security === 'none') {
    throw refused(
      'TLS_REQUIRED',
      'This Popgate requires an encrypted connection: choose TLS (port 465) or STARTTLS (port 587) for the sending server',
    );
  }
}

/**
 * May Popgate connect to the SMTP server `host`? The same check as for a POP3 server (host
 * lists by name, then one lookup, the private-network guard and the network lists over every
 * address); the address to dial, or a DomainError (DNS, BLOCKED_HOST, HOST_NOT_ALLOWED).
 */
export async function checkSmtpHost(
  host: string,
  policy: Policy,
  options: { allowPrivateNetworks: boolean },
): Promise<string> {
  try {
    return await checkHost(host, policy, options);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'HOST_NOT_ALLOWED') {
      throw refused(
        'HOST_NOT_ALLOWED',
        `This Popgate's admin does not allow sending through servers at ${host}; ask an admin if you need it`,
      );
    }
    if (error instanceof DomainError && error.code === 'DNS') {
      throw new HostRefusedError('DNS', `${error.message}; check the server name`);
    }
    throw error;
  }
}

/** The policy checks of a sending server that need no lookup: port and TLS. */
export function checkSmtpSettings(
  settings: { port: number; security: Security },
  policy: Pick<Policy, 'allowedSmtpPorts' | 'requireTls'>,
): void {
  checkSmtpPort(settings.port, policy);
  checkSmtpSecurity(settings.security, policy);
}
