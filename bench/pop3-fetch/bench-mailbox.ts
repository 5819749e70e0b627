/** Deterministic pseudo-random numbers, so every run fetches the same mailbox. */
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

/** A mailbox of ordinary-looking messages from 1 KB to ~200 KB, some lines starting with dots. */
export function benchMailbox(count: number, seed = 42): Buffer[] {
  const next = random(seed);
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const lines: string[] = [
      `From: sender${i}@example.com`,
      `To: user@example.com`,
      `Subject: benchmark message ${i}`,
      `Message-ID: <bench-${i}@example.com>`,
      '',
    ];
    const size = 1024 + Math.floor(next() ** 3 * 200_000);
    let length = 0;
    while (length < size) {
      const line =
        next() < 0.02
          ? `.${'x'.repeat(60)}`
          : 'lorem ipsum dolor sit amet '.repeat(2 + Math.floor(next() * 1.5));
      lines.push(line);
      length += line.length + 2;
    }
    messages.push(Buffer.from(`${lines.join('\r\n')}\r\n`));
  }
  return messages;
}
