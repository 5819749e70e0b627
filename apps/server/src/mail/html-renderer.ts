import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { SanitizeOutcome, SanitizeTask } from './sanitize-task';

/**
 * Why a message's HTML is not shown (its text part is, and the original can be downloaded):
 * TOO_LARGE above the inline size cap, TOO_COMPLEX when sanitizing it ran over the time budget or
 * it nests too deeply, UNAVAILABLE when it could not be sanitized now (the pool is full or failed).
 */
export type HtmlWithheldReason = 'TOO_LARGE' | 'TOO_COMPLEX' | 'UNAVAILABLE';

export type RenderedHtml =
  | { html: string; remoteImagesBlocked: boolean; withheld: null }
  | { html: null; remoteImagesBlocked: false; withheld: HtmlWithheldReason };

export interface HtmlRendererOptions {
  /** The server's secret key: the workers sign image proxy URLs with it. */
  secretKey: Buffer;
  /** How long one message may take to sanitize, from the moment a worker starts on it. */
  timeBudgetMs: number;
  /** HTML above this many bytes is not sanitized for display at all. */
  inlineMaxBytes: number;
  /** Sanitized HTML kept in memory for repeated reads (default 64 MiB). */
  cacheBytes?: number;
  threads?: number;
  onError?: (error: unknown) => void;
}

export interface HtmlRenderer {
  render(task: Omit<SanitizeTask, 'started'>): Promise<RenderedHtml>;
  close(): Promise<void>;
}

/** Atomics.waitAsync (Node 16+; not in the ES2022 typings this project compiles against). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync: (
      typed: Int32Array,
      index: number,
      value: number,
    ) => { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

const withheld = (reason: HtmlWithheldReason): RenderedHtml => ({
  html: null,
  remoteImagesBlocked: false,
  withheld: reason,
});

/** Where the worker is: beside the bundle in dist/, or the TypeScript source run through tsx. */
function workerEntry(): { filename: string; execArgv?: string[] } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { filename: new URL('./sanitize-worker.js', here).href };
  const tsx = pathToFileURL(createRequire(here).resolve('tsx')).href;
  return { filename: new URL('./sanitize-worker.ts', here).href, execArgv: ['--import', tsx] };
}

/** Whether the UTF-8 form of `text` is longer than `max` bytes (counted only when in doubt). */
function byteLengthAbove(text: string, max: number): boolean {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return Buffer.byteLength(text) > max;
}

/** A least-recently-used map bounded by the (approximate) bytes of what it holds. */
class ByteBoundedCache {
  private readonly entries = new Map<string, { value: RenderedHtml; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): RenderedHtml | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: RenderedHtml): void {
    const bytes = 2 * (key.length + (value.html?.length ?? 0)) + 64;
    if (bytes > this.maxBytes / 4) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}

/**
 * Sanitizes message HTML for display off the event loop: in a pool of worker threads, each
 * message within a time budget (a worker over budget is terminated), nothing above the inline
 * size cap, and each result kept for the next read of the same message.
 */
export function createHtmlRenderer(options: HtmlRendererOptions): HtmlRenderer {
  const cache = new ByteBoundedCache(options.cacheBytes ?? 64 * 1024 * 1024);
  const inFlight = new Map<string, Promise<RenderedHtml>>();
  const threads = options.threads ?? Math.min(4, Math.max(2, availableParallelism() - 1));
  // A task still waiting for a worker after this long is given up (the pool is swamped).
  const maxWaitMs = Math.max(30_000, 4 * options.timeBudgetMs);
  let pool: Piscina<SanitizeTask, SanitizeOutcome> | undefined;
  let closed = false;

  const startPool = () => {
    const entry = workerEntry();
    return new Piscina<SanitizeTask, SanitizeOutcome>({
      filename: entry.filename,
      ...(entry.execArgv && { execArgv: entry.execArgv }),
      workerData: { secretKey: new Uint8Array(options.secretKey) },
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
      maxQueue: 16 * threads,
      // A memory bomb ends its worker, not the server.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
  };

  async function sanitize(task: Omit<SanitizeTask, 'started'>): Promise<RenderedHtml> {
    pool ??= startPool();
    const started = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    let overBudget = false;
    const startBudget = () => {
      if (done) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        overBudget = true;
        controller.abort();
      }, options.timeBudgetMs);
    };
    const waiting = waitAsync(started, 0, 0);
    if (waiting.async) void waiting.value.then(startBudget);
    else startBudget();
    timer = setTimeout(() => controller.abort(), maxWaitMs);
    try {
      const outcome = await pool.run({ ...task, started }, { signal: controller.signal });
      return outcome.ok
        ? { html: outcome.html, remoteImagesBlocked: outcome.remoteImagesBlocked, withheld: null }
        : withheld(outcome.reason);
    } catch (error) {
      // Over budget, or a memory bomb that ended its worker: the message is the problem.
      if (overBudget || (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return withheld('TOO_COMPLEX');
      }
      options.onError?.(error);
      return withheld('UNAVAILABLE');
    } finally {
      done = true;
      clearTimeout(timer);
      // Releases the wait for a task that never started.
      Atomics.notify(started, 0);
    }
  }

  return {
    async render(task) {
      if (closed) return withheld('UNAVAILABLE');
      if (byteLengthAbove(task.html, options.inlineMaxBytes)) return withheld('TOO_LARGE');
      const key = `${task.messageId}\n${task.showRemoteImages}\n${task.html.length}`;
      const cached = cache.get(key);
      if (cached) return cached;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = sanitize(task).then((result) => {
          inFlight.delete(key);
          // A busy or failed pool says nothing about the message: try again next time.
          if (result.withheld !== 'UNAVAILABLE') cache.set(key, result);
          return result;
        });
        inFlight.set(key, pending);
      }
      return pending;
    },
    async close() {
      closed = true;
      await pool?.destroy();
    },
  };
}
