/**
 * Prisma types Bytes as Uint8Array<ArrayBuffer>; a Node Buffer is one at run time (its memory is
 * never a SharedArrayBuffer here). Saying so avoids copying megabytes of mail.
 */
export const asBytes = (buffer: Buffer): Uint8Array<ArrayBuffer> =>
  buffer as Uint8Array<ArrayBuffer>;

/** Stored bytes as a Buffer over the same memory: mail can be megabytes, so no copy. */
export const storedBytes = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
