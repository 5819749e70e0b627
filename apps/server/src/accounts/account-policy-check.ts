import type { Db } from '../db/prisma';
import { refused } from '../domain-errors';
import type { Policy } from '../generated/prisma/client';
import type { Security } from '../generated/prisma/enums';
import { HostRefusedError } from '../net/host-guard';
import { checkHost } from './host-check';

/** The admin policy (one row). */
export const loadPolicy = (prisma: Pick<Db, 'policy'>): Promise<Policy> =>
  prisma.policy.findUniqueOrThrow({ where: { id: 1 } });

/** An empty list of allowed ports allows any port. */
export function checkPort(port: number, policy: Pick<Policy, 'allowedPorts'>): void {
  if (policy.allowedPorts.length === 0 || policy.allowedPorts.includes(port)) return;
  const ports = [...policy.allowedPorts].sort((a, b) => a - b).join(', ');
  throw refused(
    'PORT_NOT_ALLOWED',
    `This Popgate connects to POP3 servers on port ${ports} only, not ${port}; ask an admin if you need it`,
  );
}

export function checkSecurity(security: Security, policy: Pick<Policy, 'requireTls'>): void {
  if (policy.requireTls && security === 'none') {
    throw refused(
      'TLS_REQUIRED',
      'This Popgate requires an encrypted connection: choose TLS or STARTTLS for the account',
    );
  }
}

export function checkPollSeconds(pollSeconds: number, policy: Pick<Policy, 'minPollSeconds'>) {
  if (pollSeconds >= policy.minPollSeconds) return;
  throw refused(
    'POLL_TOO_OFTEN',
    `policy/pollSeconds must be at least ${policy.minPollSeconds} on this Popgate (checking more often is not allowed)`,
  );
}

/** A user below the admin's account limit; the caller holds the user's account lock. */
export async function checkAccountCount(
  prisma: Pick<Db, 'pop3Account'>,
  userId: string,
  policy: Pick<Policy, 'maxAccountsPerUser'>,
): Promise<void> {
  const count = await prisma.pop3Account.count({ where: { userId } });
  if (count < policy.maxAccountsPerUser) return;
  throw refused(
    'TOO_MANY_ACCOUNTS',
    `You have linked ${count} accounts, the most this Popgate allows; remove one to link another`,
  );
}

/**
 * The host, checked as for a connection: refused by the private-network guard (400 BLOCKED_HOST),
 * not found (400 DNS), or outside the admin's host and network lists (403 HOST_NOT_ALLOWED).
 */
export async function checkHostForAccount(
  host: string,
  policy: Policy,
  options: { allowPrivateNetworks: boolean },
): Promise<void> {
  try {
    await checkHost(host, policy, options);
  } catch (error) {
    if (error instanceof HostRefusedError && error.code === 'DNS') {
      throw new HostRefusedError('DNS', `${error.message}; check the server name`);
    }
    throw error;
  }
}
