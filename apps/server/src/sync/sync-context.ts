import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import type { EventBus } from '../events/event-bus';
import type { TokenSource } from '../oauth/token-source';
import type { Clock } from './clock';
import type { DeadlineSettings } from './session-deadline';

/** What a POP3 session of the sync engine needs from the rest of Popgate. */
export interface SyncContext {
  prisma: Db;
  keyring: Keyring;
  events: EventBus;
  clock: Clock;
  /** Names this process in sync-run records and leases. */
  instanceId: string;
  allowPrivateNetworks: boolean;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** POP3 timeouts; tests shorten them. */
  timeouts?: { connectMs?: number; greetingMs?: number; commandMs?: number };
  /** Access tokens of accounts linked through OAuth2 (absent: stored secrets only). */
  oauth?: TokenSource;
  /** How long a whole session may take (DEFAULT_DEADLINE where not given); tests shorten it. */
  deadline?: Partial<DeadlineSettings>;
}
