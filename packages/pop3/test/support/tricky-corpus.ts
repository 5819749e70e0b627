/** A small deterministic generator (mulberry32), so failures can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINE_KINDS = [
  (n: () => number) => `plain text line ${Math.floor(n() * 1e6)}`,
  () => '.',
  () => '..',
  () => '.leading dot',
  () => '...three dots',
  () => '. ',
  () => '',
  () => 'x'.repeat(990),
] as const;

/**
 * Messages that exercise everything a byte-exact POP3 client must get right: lines that
 * start with dots, a lone "." line, 8-bit and invalid UTF-8 bytes, NUL, bare LF and bare
 * CR line ends, long lines, and a message without a final line break.
 */
export function trickyCorpus(count: number, seed = 1): Buffer[] {
  const next = random(seed);
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const parts: Buffer[] = [Buffer.from(`Subject: message ${i}\r\nX-Seq: ${i}\r\n\r\n`)];
    const lines = 1 + Math.floor(next() * 40);
    for (let l = 0; l < lines; l++) {
      const pick = next();
      if (pick < 0.1) {
        // 8-bit bytes that are not valid UTF-8, and a NUL.
        parts.push(Buffer.from([0xe9, 0x74, 0xe9, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x80]));
      } else {
        const kind = LINE_KINDS[Math.floor(next() * LINE_KINDS.length)]!;
        parts.push(Buffer.from(kind(next), 'latin1'));
      }
      const ending = next();
      parts.push(Buffer.from(ending < 0.8 ? '\r\n' : ending < 0.95 ? '\n' : '\r'));
    }
    if (next() < 0.1) parts.push(Buffer.from('no final line break'));
    messages.push(Buffer.concat(parts));
  }
  return messages;
}

/** A large message made of ordinary lines, every hundredth starting with a dot. */
export function largeMessage(bytes: number): Buffer {
  const line = Buffer.from(`${'abcdefghij'.repeat(7)}\r\n`);
  const dotLine = Buffer.from(`.${'klmnopqrst'.repeat(7)}\r\n`);
  const header = Buffer.from('Subject: large\r\n\r\n');
  const lines = Math.ceil((bytes - header.length) / line.length);
  const out = Buffer.allocUnsafe(header.length + lines * line.length + Math.ceil(lines / 100));
  let offset = header.copy(out, 0);
  for (let i = 0; i < lines; i++) offset += (i % 100 === 99 ? dotLine : line).copy(out, offset);
  return out.subarray(0, offset);
}
