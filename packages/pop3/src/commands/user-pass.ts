import type { Pop3Connection } from '../connection';
import { sendExpectingOk, singleLineArgument } from './exchange';

/**
 * USER and PASS (RFC 1939 section 7). Both send the secret as is. When the server offers
 * PIPELINING before login, both leave together: one round trip instead of two (RFC 2449 section
 * 6.6); a USER refused then makes the server refuse the PASS as well.
 */
export async function userPass(
  connection: Pop3Connection,
  username: string,
  password: string,
  pipelined = false,
): Promise<void> {
  const userLine = `USER ${singleLineArgument(username, 'The user name')}`;
  const passLine = `PASS ${singleLineArgument(password, 'The password')}`;
  const options = (logAs: string) => ({ fallback: 'AUTH_FAILED' as const, logAs });
  if (!pipelined) {
    await sendExpectingOk(connection, userLine, options('USER ***'));
    await sendExpectingOk(connection, passLine, options('PASS ***'));
    return;
  }
  const wasPipelining = connection.pipelining;
  connection.pipelining = true;
  try {
    const user = sendExpectingOk(connection, userLine, options('USER ***'));
    const pass = sendExpectingOk(connection, passLine, options('PASS ***'));
    // Both settle (neither rejection goes unhandled); USER's refusal is the one that explains.
    const [userOutcome, passOutcome] = await Promise.allSettled([user, pass]);
    if (userOutcome.status === 'rejected') throw userOutcome.reason;
    if (passOutcome.status === 'rejected') throw passOutcome.reason;
  } finally {
    connection.pipelining = wasPipelining;
  }
}
