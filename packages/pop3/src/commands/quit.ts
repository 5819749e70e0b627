import type { Pop3Connection } from '../connection';
import { sendExpectingOk } from './exchange';

/**
 * QUIT: in the TRANSACTION state this enters UPDATE, where the server removes the marked
 * messages. Only a +OK means that happened; the connection is closed either way.
 */
export async function quit(connection: Pop3Connection): Promise<void> {
  try {
    await sendExpectingOk(connection, 'QUIT');
  } finally {
    connection.finish();
  }
}

/**
 * QUIT when the session marked nothing: sent, and the connection closed behind it without waiting
 * for the answer, which could tell nothing (there is no mark to apply). One round trip less.
 */
export function quitUnanswered(connection: Pop3Connection): void {
  connection.sendLast('QUIT');
}
