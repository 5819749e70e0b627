import type { Pop3Connection } from '../connection';
import { sendExpectingOk } from './exchange';

export async function noop(connection: Pop3Connection): Promise<void> {
  await sendExpectingOk(connection, 'NOOP');
}
