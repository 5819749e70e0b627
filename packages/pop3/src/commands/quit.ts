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
