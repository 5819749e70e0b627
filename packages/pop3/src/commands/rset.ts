import type { Pop3Connection } from '../connection';
import { sendExpectingOk } from './exchange';

/** RSET: unmarks every message marked with DELE in this session. */
export async function rset(connection: Pop3Connection): Promise<void> {
  await sendExpectingOk(connection, 'RSET');
}
