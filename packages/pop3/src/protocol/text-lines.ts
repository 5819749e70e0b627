/** Splits a small multi-line answer (CAPA, LIST, UIDL) into lines without their CRLF or LF. */
export function textLines(body: Buffer): string[] {
  const text = body.toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
