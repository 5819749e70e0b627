import { deathSignalPrefix } from '@popgate/dovecot-harness/support';

/**
 * Postfix's master changes its effective uid while it starts, and the kernel forgets a
 * parent-death signal on every credential change: `setpriv --pdeathsig` on the master alone
 * does not survive. So a shell keeps the death signal and passes SIGTERM on to the master,
 * which passes it to every daemon. The shell stays until the master has exited.
 */
const WATCHDOG = [
  'trap \'kill -TERM "$master" 2>/dev/null\' TERM INT HUP',
  '"$@" &',
  'master=$!',
  'while kill -0 "$master" 2>/dev/null; do wait "$master"; done',
].join('\n');

/** The command line that runs `command` under the watchdog. */
export function watchedCommand(command: string[]): string[] {
  return [...deathSignalPrefix(), '/bin/sh', '-c', WATCHDOG, 'postfix-watchdog', ...command];
}
