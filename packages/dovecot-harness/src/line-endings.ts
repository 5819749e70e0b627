const CR = 0x0d;
const LF = 0x0a;

/**
 * What a POP3 client receives from Dovecot for a message stored as `raw`: every byte between
 * the `+OK` line and the terminating `.` line, dot-unstuffed. Dovecot turns each bare LF into
 * CRLF, leaves CRLF and bare CR untouched, and when the stored message does not end with LF
 * it sends an extra CRLF before the terminator. Other bytes (8-bit, NUL) pass through as-is.
 * LIST and STAT count these bytes minus that extra CRLF.
 */
export function expectedPop3Bytes(raw: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] as number;
    if (byte === LF && (i === 0 || raw[i - 1] !== CR)) out.push(CR);
    out.push(byte);
  }
  if (raw.length === 0 || raw[raw.length - 1] !== LF) out.push(CR, LF);
  return Buffer.from(out);
}
