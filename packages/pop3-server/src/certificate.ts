import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate: CN=localhost, SAN DNS:localhost and IP:127.0.0.1. */
  cert: string;
  /** SHA-256 fingerprint of the DER certificate, hex lowercase without colons. */
  sha256: string;
}

/** Hex lowercase, no colons: the form accounts use to pin a certificate. */
export function certificateSha256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.replaceAll(':', '').toLowerCase();
}

/** A fresh P-256 key and certificate from the openssl CLI (EC keys are generated instantly). */
export async function generateSelfSignedCert(): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'popgate-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { key, cert, sha256: certificateSha256(cert) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
