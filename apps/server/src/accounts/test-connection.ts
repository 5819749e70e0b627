import type { AccountTestReply } from '@popgate/contracts';
import { isPop3Error, probeServer, type Pop3Timeouts } from '@popgate/pop3';
import { DomainError } from '../domain-errors';
import type { Policy } from '../generated/prisma/client';
import { describeTestFailure } from './connection-test-failure';
import { checkHost } from './host-check';
import { pop3ConnectOptions, type Pop3Login } from './pop3-options';

/** Shorter than a sync's: someone is waiting for the answer. */
export const CONNECTION_TEST_TIMEOUTS: Required<Omit<Pop3Timeouts, 'idleMs'>> = {
  connectMs: 10_000,
  greetingMs: 10_000,
  commandMs: 15_000,
};

/** Nothing is downloaded, so any line longer than this is a server speaking something else. */
const PROBE_LIMITS = { maxLineBytes: 64 * 1024, maxMessageBytes: 1024 * 1024 };

/**
 * Tries a connection the way a sync would open it (host guard, the checked address dialled,
 * certificate verified, credentials sent as the sync would send them) and reports what the
 * server said about itself, or exactly what failed. Nothing is saved.
 */
export async function testConnection(
  connection: Pop3Login,
  options: {
    policy: Policy;
    allowPrivateNetworks: boolean;
    timeouts?: Pop3Timeouts;
    signal?: AbortSignal;
  },
): Promise<AccountTestReply> {
  let address: string;
  try {
    address = await checkHost(connection.host, options.policy, options);
  } catch (error) {
    // Not found (DNS), or refused by the guard or the admin's lists (BLOCKED_HOST to the user).
    if (!(error instanceof DomainError)) throw error;
    return {
      ok: false,
      error: { code: error.code === 'DNS' ? 'DNS' : 'BLOCKED_HOST', message: error.message },
    };
  }
  const timeouts = { ...CONNECTION_TEST_TIMEOUTS, ...options.timeouts };
  try {
    const serverInfo = await probeServer({
      ...pop3ConnectOptions(connection, address),
      timeouts,
      limits: PROBE_LIMITS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ok: true, serverInfo };
  } catch (error) {
    if (isPop3Error(error)) return { ok: false, error: describeTestFailure(error, connection) };
    throw error;
  }
}
