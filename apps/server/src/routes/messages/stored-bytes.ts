/** Stored bytes as a Buffer over the same memory: mail can be megabytes, so no copy. */
export const storedBytes = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
