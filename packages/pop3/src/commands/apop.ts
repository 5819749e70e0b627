import { createHash } from 'node:crypto';
import type { Pop3Connection } from '../connection';
import { sendExpectingOk, singleLineArgument } from './exchange';

/** APOP (RFC 1939 section 7): proves the password with MD5(timestamp + password). */
export async function apop(
  connection: Pop3Connection,
  timestamp: string,
  username: string,
  password: string,
): Promise<void> {
  const digest = createHash('md5')
    .update(timestamp + password, 'utf8')
    .digest('hex');
  await sendExpectingOk(
    connection,
    `APOP ${singleLineArgument(username, 'The user name')} ${digest}`,
    {
      fallback: 'AUTH_FAILED',
      logAs: 'APOP ***',
    },
  );
}
