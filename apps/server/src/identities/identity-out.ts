import type { IdentityOut } from '@popgate/contracts';
import type { Identity } from '../generated/prisma/client';
import { smtpAuthToApi } from './smtp-auth-names';

/** A stored reply-to as the API shows it; anything else stored there reads as none. */
function replyToOf(stored: unknown): IdentityOut['replyTo'] {
  if (!stored || typeof stored !== 'object') return null;
  const { name, address } = stored as { name?: unknown; address?: unknown };
  if (typeof address !== 'string') return null;
  return { name: typeof name === 'string' ? name : '', address };
}

/**
 * An identity row as the API shows it. Built field by field, so the sealed password (and any
 * column added later) never reaches a reply by accident.
 */
export function toIdentityOut(identity: Identity): IdentityOut {
  return {
    id: identity.id,
    accountId: identity.accountId,
    name: identity.name,
    address: identity.address,
    replyTo: replyToOf(identity.replyTo),
    signature: {
      format: identity.signatureHtml ? 'html' : 'text',
      content: identity.signature,
    },
    smtp: {
      host: identity.smtpHost,
      port: identity.smtpPort,
      security: identity.smtpSecurity,
      username: identity.smtpUsername,
      auth: smtpAuthToApi(identity.smtpAuth),
      tls: { caPem: identity.smtpTlsCaPem, pinSha256: identity.smtpTlsPinSha256 },
      passwordSource: identity.smtpSecretCiphertext ? 'own' : 'account',
    },
    createdAt: identity.createdAt.toISOString(),
    updatedAt: identity.updatedAt.toISOString(),
  };
}
