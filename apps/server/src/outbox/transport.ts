import type { Identity, Pop3Account } from '../generated/prisma/client';
import type { SmtpSession } from '../identities/smtp-connect';
import type { SmtpFailure } from '../identities/smtp-failure';

export type { SmtpSession, SmtpFailure };

/**
 * How the sender reaches SMTP servers: in the server, the identities' connectSmtp (policy, host
 * guard, TLS trust, sign-in) and describeSmtpFailure; a test may pass its own.
 */
export interface OutboxTransport {
  open(identity: Identity & { account: Pop3Account }): Promise<SmtpSession>;
  describe(error: unknown): SmtpFailure;
}
