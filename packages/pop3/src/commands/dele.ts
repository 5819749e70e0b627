import type { Pop3Connection } from '../connection';
import { messageNumber, sendExpectingOk } from './exchange';

/** DELE: marks a message; the server removes it only at a successful QUIT. */
export async function dele(connection: Pop3Connection, number: number): Promise<void> {
  await sendExpectingOk(connection, `DELE ${messageNumber(number)}`);
}
