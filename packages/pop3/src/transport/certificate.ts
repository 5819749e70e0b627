import type { TLSSocket } from 'node:tls';

/** What a caller may show or store about the TLS session and the server's certificate. */
export interface Pop3TlsInfo {
  /** Negotiated protocol, e.g. "TLSv1.3". */
  protocol: string | null;
  /** Negotiated cipher suite (standard name). */
  cipher: string;
  /** Certificate subject, one "KEY=value" per line as OpenSSL prints it. */
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  validFrom: string;
  validTo: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex. */
  fingerprint256: string;
  /** "chain": verified against trusted CAs and the host name; "pin": trusted because the pin matched. */
  trustedBy: 'chain' | 'pin';
  /** Why the chain did not verify, when trust came from the pin. */
  authorizationError: string | null;
}

export interface PeerCertificateFacts {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

export function peerCertificateFacts(socket: TLSSocket): PeerCertificateFacts | null {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) return null;
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    subjectAltName: certificate.subjectAltName ?? null,
    validFrom: certificate.validFrom,
    validTo: certificate.validTo,
    fingerprint256: certificate.fingerprint256,
  };
}

/**
 * Reduces any common spelling of a SHA-256 fingerprint (upper or lower case, with or
 * without colons or spaces, optionally prefixed "sha256:") to bare lower-case hex.
 */
export function normalizeFingerprint(value: string): string {
  return value
    .trim()
    .replace(/^sha-?256[:/=]?/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
}

export function fingerprintsMatch(pin: string, fingerprint256: string): boolean {
  const wanted = normalizeFingerprint(pin);
  return wanted.length === 64 && wanted === normalizeFingerprint(fingerprint256);
}
