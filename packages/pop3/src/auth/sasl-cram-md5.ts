import { createHmac } from 'node:crypto';
import type { SaslMechanism } from './sasl-mechanism';

/** CRAM-MD5 (RFC 2195): proves the password with HMAC-MD5 over the server's challenge. */
export function saslCramMd5(username: string, password: string): SaslMechanism {
  return {
    name: 'CRAM-MD5',
    initialResponse: () => null,
    respond(challenge) {
      const digest = createHmac('md5', Buffer.from(password, 'utf8'))
        .update(challenge)
        .digest('hex');
      return Buffer.from(`${username} ${digest}`, 'utf8');
    },
  };
}
