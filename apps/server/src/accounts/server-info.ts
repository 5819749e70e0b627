import { ServerInfo } from '@popgate/contracts';
import { Value } from 'typebox/value';

/**
 * What an account keeps about its server from the last check, as the API shows it: the POP3
 * client's server info, or null before a first check (and for anything stored in another shape,
 * which the API does not pass on).
 */
export const storedServerInfo = (stored: unknown): ServerInfo | null =>
  Value.Check(ServerInfo, stored) ? stored : null;
