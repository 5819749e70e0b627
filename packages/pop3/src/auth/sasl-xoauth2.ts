import { parseOAuthError } from './oauth-error';
import type { SaslMechanism } from './sasl-mechanism';

/**
 * XOAUTH2 (Google's format): "user=" name ^A "auth=Bearer " token ^A ^A. A refused
 * token comes back as a base64 JSON challenge, to be answered with an empty line.
 */
export function saslXoauth2(username: string, accessToken: string): SaslMechanism {
  const mechanism: SaslMechanism & { serverError?: Record<string, unknown> } = {
    name: 'XOAUTH2',
    initialResponse: () =>
      Buffer.from(`user=${username}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8'),
    respond(challenge) {
      mechanism.serverError = parseOAuthError(challenge);
      return Buffer.alloc(0);
    },
  };
  return mechanism;
}
