import type { Pop3Connection } from '../connection';
import { sendExpectingOk, singleLineArgument } from './exchange';

/** USER and PASS (RFC 1939 section 7). Both send the secret as is. */
export async function userPass(
  connection: Pop3Connection,
  username: string,
  password: string,
): Promise<void> {
  await sendExpectingOk(connection, `USER ${singleLineArgument(username, 'The user name')}`, {
    fallback: 'AUTH_FAILED',
    logAs: 'USER ***',
  });
  await sendExpectingOk(connection, `PASS ${singleLineArgument(password, 'The password')}`, {
    fallback: 'AUTH_FAILED',
    logAs: 'PASS ***',
  });
}
