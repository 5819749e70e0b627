import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHtmlRenderer } from '../../apps/server/src/mail/html-renderer';
import { ImageProxySigner } from '../../apps/server/src/mail/remote-images';
import { HtmlTooComplexError, sanitizeMessageHtml } from '../../apps/server/src/mail/sanitize-html';
import { shapes, type Shape } from './shapes';

const MB = 1_000_000;
const SIZES = (process.env.SANITIZE_BENCH_SIZES ?? '0.1,1,5,20').split(',').map(Number);
const ONLY = process.env.SANITIZE_BENCH_SHAPES?.toLowerCase();
/**
 * Passes per size: at least 3 at 100 KB and 2 above, more while they add up to under 1.5 s (at
 * most 7); the best one counts, the least disturbed by whatever else runs on the machine.
 */
const MIN_RUNS = (mb: number) => (mb <= 0.1 ? 3 : 2);
const MAX_RUNS = 7;
const TIME_FOR_RUNS_MS = 1500;
const TARGET_RATIO = 2;
const MESSAGE = '0190f5a4-0000-7000-8000-000000000001';
const signer = new ImageProxySigner(Buffer.alloc(32, 7));

/**
 * One sanitizing pass over `html` in this thread: the CPU milliseconds the process spent on it
 * (this thread and V8's helpers: the machine's other work does not count, as wall time would on a
 * shared machine), and whether it was refused.
 */
function sanitizeOnce(html: string, shape: Shape): { ms: number; refused: boolean } {
  const started = process.cpuUsage();
  let refused = false;
  try {
    sanitizeMessageHtml(html, {
      showRemoteImages: shape.showRemoteImages ?? false,
      proxyUrl: (url) => signer.proxyUrl(MESSAGE, url),
      inlinePartUrl: () => null,
    });
  } catch (error) {
    if (!(error instanceof HtmlTooComplexError)) throw error;
    refused = true;
  }
  const used = process.cpuUsage(started);
  return { ms: (used.user + used.system) / 1000, refused };
}

const pad = (text: string, width: number) => text.padEnd(width);
const cell = (text: string) => text.padStart(9);
const shown = shapes.filter((shape) => !ONLY || shape.name.toLowerCase().includes(ONLY));

console.log(
  `sanitizeMessageHtml, one thread, CPU ms per MB (best of up to ${MAX_RUNS} passes); ratio = ${SIZES.at(-1)} MB / ${SIZES[0]} MB`,
);
console.log(
  `${pad('shape', 36)}${SIZES.map((mb) => cell(`${mb} MB`)).join('')}${cell('ratio')}  result`,
);
const ratios: Array<{ name: string; ratio: number }> = [];
for (const shape of shown) {
  // Warm-up: the first passes compile (and optimize) this shape's paths.
  const warmUp = shape.make(SIZES[0]! * MB);
  for (let pass = 0; pass < 3; pass++) sanitizeOnce(warmUp, shape);
  const perMb: number[] = [];
  let refused = false;
  for (const mb of SIZES) {
    const html = shape.make(mb * MB);
    let best = Infinity;
    let spent = 0;
    for (let run = 0; run < MAX_RUNS && (run < MIN_RUNS(mb) || spent < TIME_FOR_RUNS_MS); run++) {
      const result = sanitizeOnce(html, shape);
      best = Math.min(best, result.ms);
      spent += result.ms;
      refused = result.refused;
    }
    perMb.push(best / (html.length / MB));
  }
  const ratio = perMb.at(-1)! / perMb[0]!;
  ratios.push({ name: shape.name, ratio });
  console.log(
    `${pad(shape.name, 36)}${perMb.map((ms) => cell(ms.toFixed(ms < 10 ? 2 : 0))).join('')}${cell(ratio.toFixed(2))}  ${refused ? 'refused (nesting)' : 'rendered'}`,
  );
}
const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
console.log(
  `worst ratio: ${worst.ratio.toFixed(2)} (${worst.name}); target ≤ ${TARGET_RATIO}: ${worst.ratio <= TARGET_RATIO ? 'met' : 'NOT met'}`,
);

// The server's way: a worker pool with a time budget and an inline cap; the event loop stays free.
const renderer = createHtmlRenderer({
  secretKey: Buffer.alloc(32, 7),
  timeBudgetMs: 5000,
  inlineMaxBytes: 4 * 1024 * 1024,
});
try {
  await renderer.render({
    messageId: MESSAGE,
    html: '<p>warm</p>',
    showRemoteImages: false,
    inlineParts: [],
  });
  const pixels = shapes[0]!.make(0.9 * MB);
  const cases = [
    { label: '0.9 MB of dropped images', html: pixels },
    {
      label: '3.5 MB of unclosed paragraphs',
      html: shapes.find((s) => s.name === 'unclosed paragraphs')!.make(3.5 * MB),
    },
    {
      label: '3.5 MB nesting without end',
      html: shapes.find((s) => s.name.startsWith('nesting without'))!.make(3.5 * MB),
    },
    { label: '20 MB of dropped images', html: shapes[0]!.make(20 * MB) },
  ];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const results = await Promise.all(
    cases.map(async ({ label, html }, i) => {
      const result = await renderer.render({
        messageId: `${MESSAGE.slice(0, -1)}${i}`,
        html,
        showRemoteImages: false,
        inlineParts: [],
      });
      return `${label}: ${result.withheld ?? 'rendered'} after ${((performance.now() - started) / 1000).toFixed(2)} s`;
    }),
  );
  delay.disable();
  console.log(`\nthrough the worker pool (budget 5 s, inline cap 4 MiB), all four at once:`);
  for (const line of results) console.log(`  ${line}`);
  console.log(
    `  event loop meanwhile: max delay ${(delay.max / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms`,
  );
} finally {
  await renderer.close();
}
