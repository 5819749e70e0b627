import { existsSync } from 'node:fs';

export const POSTFIX_MASTER = '/usr/lib/postfix/sbin/master';
export const POSTFIX_COMMAND = '/usr/sbin/postfix';

/**
 * True when Postfix is installed and this process is root, so tests can skip themselves
 * elsewhere: Postfix's master refuses to run as anyone but the superuser.
 */
export function postfixAvailable(): boolean {
  return process.getuid?.() === 0 && existsSync(POSTFIX_MASTER) && existsSync(POSTFIX_COMMAND);
}
