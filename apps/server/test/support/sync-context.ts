import { randomBytes } from 'node:crypto';
import { Keyring } from '../../src/crypto/secret-box';
import type { Db } from '../../src/db/prisma';
import { EventBus, type PopgateEvent } from '../../src/events/event-bus';
import { secretKeyId } from '../../src/secret-key';
import { ManualClock } from '../../src/sync/clock';
import type { SyncContext } from '../../src/sync/sync-context';

/** A sync engine context on a test database: its own key, a settable clock, recorded events. */
export async function testSyncContext(
  prisma: Db,
  options: { listenUrl?: string; instanceId?: string } = {},
) {
  const key = randomBytes(32);
  const keyring = new Keyring({ id: secretKeyId(key), key });
  const events = await EventBus.start(prisma, options.listenUrl);
  const seen: PopgateEvent[] = [];
  events.subscribe((event) => seen.push(event));
  const clock = new ManualClock(new Date());
  const ctx: SyncContext = {
    prisma,
    keyring,
    events,
    clock,
    instanceId: options.instanceId ?? `test-${randomBytes(3).toString('hex')}`,
    allowPrivateNetworks: true,
    log: { info: () => {}, warn: () => {} },
    timeouts: { connectMs: 5000, greetingMs: 5000, commandMs: 5000 },
  };
  return { ctx, clock, keyring, events: seen, close: () => events.close() };
}
