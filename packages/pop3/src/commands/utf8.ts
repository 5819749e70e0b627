import type { Pop3Connection } from '../connection';
import { sendForLine } from './exchange';

/** UTF8 (RFC 6856), sent before authentication. Returns whether UTF-8 mode is on. */
export async function utf8(connection: Pop3Connection): Promise<boolean> {
  const status = await sendForLine(connection, 'UTF8');
  return status.kind === 'ok';
}
