import type { SaslMechanism } from './sasl-mechanism';

/** PLAIN (RFC 4616): authzid NUL authcid NUL password, all in the initial response. */
export function saslPlain(
  username: string,
  password: string,
  authorizationIdentity = '',
): SaslMechanism {
  return {
    name: 'PLAIN',
    initialResponse: () =>
      Buffer.from(`${authorizationIdentity}\0${username}\0${password}`, 'utf8'),
    // PLAIN has nothing more to say; an empty answer lets the server finish or fail.
    respond: () => Buffer.alloc(0),
  };
}
