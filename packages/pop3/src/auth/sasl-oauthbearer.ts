import { parseOAuthError } from './oauth-error';
import type { SaslMechanism } from './sasl-mechanism';

/** RFC 5801 saslname: "," and "=" are escaped in the GS2 header. */
function saslName(value: string): string {
  return value.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/**
 * OAUTHBEARER (RFC 7628): a GS2 header naming the user, then key-value pairs separated
 * by ^A. A refused token comes back as a base64 JSON challenge; the client must answer
 * with a single ^A (section 3.2.3) and then receives -ERR.
 */
export function saslOauthBearer(
  username: string,
  accessToken: string,
  host: string,
  port: number,
  authorizationIdentity?: string,
): SaslMechanism {
  const authzid = authorizationIdentity ?? username;
  const mechanism: SaslMechanism & { serverError?: Record<string, unknown> } = {
    name: 'OAUTHBEARER',
    initialResponse: () =>
      Buffer.from(
        `n,a=${saslName(authzid)},\x01host=${host}\x01port=${port}\x01auth=Bearer ${accessToken}\x01\x01`,
        'utf8',
      ),
    respond(challenge) {
      mechanism.serverError = parseOAuthError(challenge);
      return Buffer.from([0x01]);
    },
  };
  return mechanism;
}
