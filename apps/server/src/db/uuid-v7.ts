import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 4 KiB at a time: one call into the system per 512 ids, not one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;
const RANDOM_BYTES = 8;

let lastMs = 0;
let counter = 0;

/**
 * A time-ordered UUID (RFC 9562 version 7), as Prisma's `uuid(7)` default makes, for rows inserted
 * through node-postgres directly: 48 bits of Unix milliseconds, a 12-bit counter, 62 random bits.
 * The counter (RFC 9562 section 6.2, method 1) keeps the ids of one process strictly increasing
 * within a millisecond too, so rows inserted in order sort in that order by id.
 */
export function uuidV7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = nextRandom()[0]! & 0x7f; // a random start with room to count up
  } else if (++counter > 0xfff) {
    lastMs += 1; // the counter ran out (or the clock went back): borrow the next millisecond
    counter = 0;
  }
  const random = nextRandom();
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  random.copy(bytes, 8);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function nextRandom(): Buffer {
  if (used + RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += RANDOM_BYTES;
  return pool.subarray(used - RANDOM_BYTES, used);
}
