import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 4 KiB at a time: one call into the system per 409 ids, not one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;
const RANDOM_BYTES = 10;

/**
 * A time-ordered UUID (RFC 9562 version 7), as Prisma's `uuid(7)` default makes, for rows inserted
 * through node-postgres directly: 48 bits of Unix milliseconds, then random bits.
 */
export function uuidV7(now = Date.now()): string {
  if (used + RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(now, 0, 6);
  pool.copy(bytes, 6, used, used + RANDOM_BYTES);
  used += RANDOM_BYTES;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
