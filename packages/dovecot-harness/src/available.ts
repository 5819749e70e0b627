import { existsSync } from 'node:fs';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';

/** True when a Dovecot binary is installed, so tests can skip themselves where it is not. */
export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT_BINARY);
}
