import { parseCapabilities, unknownCapabilities, type Pop3Capabilities } from '../capabilities';
import type { Pop3Connection } from '../connection';
import { textLines } from '../protocol/text-lines';
import { sendForBody } from './exchange';

/** CAPA (RFC 2449). A -ERR means an RFC 1939-only server: no capabilities are known. */
export async function capa(connection: Pop3Connection): Promise<Pop3Capabilities> {
  const { body } = await sendForBody(connection, 'CAPA');
  return body ? parseCapabilities(textLines(body)) : unknownCapabilities();
}
