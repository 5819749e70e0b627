/** One SASL mechanism's side of the exchange, independent of the POP3 AUTH command. */
export interface SaslMechanism {
  /** Upper-case name as it appears in CAPA SASL and AUTH. */
  readonly name: string;
  /** The initial response, or null when the mechanism waits for the first challenge. */
  initialResponse(): Buffer | null;
  /** Answers a server challenge (already base64-decoded). */
  respond(challenge: Buffer): Buffer;
  /** Error details the server sent in a challenge (OAuth 2.0 mechanisms), if any. */
  readonly serverError?: Record<string, unknown>;
}
