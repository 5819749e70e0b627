const LF = 0x0a;
const CR = 0x0d;

export type InputLine = { kind: 'line'; bytes: Buffer } | { kind: 'too-long' };

/**
 * Splits input into lines ending in CRLF (a bare LF is accepted too). A line longer than
 * `maxBytes` is reported once as too long and its bytes are dropped up to its end, so a
 * client cannot make the server buffer without bound.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): InputLine[] {
    const lines: InputLine[] = [];
    let from = 0;
    while (from < chunk.length) {
      const lf = chunk.indexOf(LF, from);
      if (lf === -1) {
        this.keep(chunk.subarray(from), lines);
        break;
      }
      const piece = chunk.subarray(from, lf);
      from = lf + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.pendingBytes + piece.length > this.maxBytes + 1) {
        this.reset();
        lines.push({ kind: 'too-long' });
        continue;
      }
      let line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.reset();
      if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
      lines.push({ kind: 'line', bytes: Buffer.from(line) });
    }
    return lines;
  }

  private keep(piece: Buffer, lines: InputLine[]): void {
    if (this.discarding) return;
    if (this.pendingBytes + piece.length > this.maxBytes + 1) {
      this.reset();
      this.discarding = true;
      lines.push({ kind: 'too-long' });
      return;
    }
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Forgets everything buffered (STLS requires discarding what came before the handshake). */
  discardAll(): void {
    this.reset();
    this.discarding = false;
  }
}
