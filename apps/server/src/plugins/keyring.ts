import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Keyring } from '../crypto/secret-box';

declare module 'fastify' {
  interface FastifyInstance {
    /** Seals and opens stored POP3 passwords, each bound to its account. */
    keyring: Keyring;
  }
}

/**
 * The keyring made from the secret key, for everything that seals or opens a stored password: the
 * account routes (linking, changing, testing an account) and the sync engine.
 */
export const keyringPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('keyring', new Keyring(app.secretKey));
  },
  { name: 'keyring' },
);
