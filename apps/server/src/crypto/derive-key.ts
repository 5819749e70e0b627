import { hkdfSync } from 'node:crypto';
import type { SecretKey } from '../secret-key';

/**
 * A key of its own for one purpose, derived from Popgate's secret key: a token signed for one
 * use (a CSRF token, a known-device mark) can never pass for another, nor for a sealed secret.
 */
export function deriveKey(secret: SecretKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret.key, Buffer.alloc(0), `popgate/${purpose}`, 32));
}
