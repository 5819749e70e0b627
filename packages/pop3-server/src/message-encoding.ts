const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const TERMINATOR = Buffer.from('.\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * The bytes a client receives for a stored body: the body itself when it ends with CRLF,
 * otherwise the body plus CRLF (the terminator must start a line). Nothing else is
 * rewritten: a bare LF or bare CR inside is sent as-is. LIST, STAT and RETR's "+OK n octets"
 * all report this length, so a client can compare what it counted with what it was told.
 */
export function deliveredBytes(body: Buffer): Buffer {
  const n = body.length;
  if (n >= 2 && body[n - 2] === CR && body[n - 1] === LF) return body;
  return Buffer.concat([body, CRLF]);
}

/**
 * Byte-stuffs a body that already ends with CRLF and appends the terminating ".\r\n". A line
 * starts after every LF (bare LF included), which is how tolerant clients split lines: a body
 * with "\n." inside must not look like a terminator to them.
 */
export function dotStuff(delivered: Buffer): Buffer {
  const parts: Buffer[] = [];
  let lineStart = 0;
  while (lineStart < delivered.length) {
    const lf = delivered.indexOf(LF, lineStart);
    const lineEnd = lf === -1 ? delivered.length : lf + 1;
    if (delivered[lineStart] === DOT) parts.push(Buffer.from('.'));
    parts.push(delivered.subarray(lineStart, lineEnd));
    lineStart = lineEnd;
  }
  parts.push(TERMINATOR);
  return Buffer.concat(parts);
}

/**
 * TOP's content: the header, the empty line that ends it, and the first `bodyLines` lines
 * of the body, all as delivered. Lines end at LF, so bare-LF messages split the same way.
 */
export function topOfMessage(delivered: Buffer, bodyLines: number): Buffer {
  let lineStart = 0;
  let inHeader = true;
  let bodyLinesTaken = 0;
  while (lineStart < delivered.length) {
    if (!inHeader && bodyLinesTaken >= bodyLines) break;
    const lf = delivered.indexOf(LF, lineStart);
    const lineEnd = lf === -1 ? delivered.length : lf + 1;
    const line = delivered.subarray(lineStart, lineEnd);
    if (inHeader) {
      if (line.length === 1 || (line.length === 2 && line[0] === CR)) inHeader = false;
    } else {
      bodyLinesTaken += 1;
    }
    lineStart = lineEnd;
  }
  return delivered.subarray(0, lineStart);
}
