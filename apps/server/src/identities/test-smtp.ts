import type { IdentityTestReply } from '@popgate/contracts';
import { DomainError } from '../domain-errors';
import { connectSmtp, type SmtpConnectDeps, type SmtpTarget } from './smtp-connect';
import { SmtpError, toTestError } from './smtp-failure';

/** Shorter than a send's: someone is waiting for the answer. */
export const SMTP_TEST_TIMEOUT_MS = 10_000;

/**
 * Tries a sending server the way the outbox sender connects to it (policy, host guard, the
 * checked address dialled, certificate verified, signed in as the sender would), says goodbye
 * and reports what the server said about itself, or exactly what failed. Nothing is sent or saved.
 * The admin policy's refusals (a port, TLS, a host list) are thrown: the route answers them as for
 * saving; a host the guard refuses is BLOCKED_HOST in the reply, as for the POP3 test.
 */
export async function testSmtp(
  deps: SmtpConnectDeps,
  target: SmtpTarget,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<IdentityTestReply> {
  try {
    const session = await connectSmtp(deps, target, {
      timeoutMs: options.timeoutMs ?? SMTP_TEST_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await session.close();
    return { ok: true, serverInfo: session.serverInfo };
  } catch (error) {
    if (error instanceof SmtpError) return { ok: false, error: toTestError(error.failure) };
    if (
      error instanceof DomainError &&
      (error.code === 'DNS' || error.code === 'BLOCKED_HOST' || error.code === 'HOST_NOT_ALLOWED')
    ) {
      return {
        ok: false,
        error: {
          code: error.code === 'DNS' ? 'DNS' : 'BLOCKED_HOST',
          message: `${error.message}.`,
        },
      };
    }
    throw error;
  }
}
