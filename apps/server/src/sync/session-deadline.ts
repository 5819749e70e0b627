import { Pop3Error } from '@popgate/pop3';
import { formatBytes } from './partial-message';

/**
 * How long a POP3 session may take in all: `baseMs` (also the floor), plus the time the bytes it
 * expects to download take at `minBytesPerSecond`, never more than `maxMs`. A server that sends a
 * byte now and then never trips a timeout of silence; this ends it. Mail is synced incrementally,
 * so a session ended early loses nothing: the next one goes on where it stopped.
 */
export interface DeadlineSettings {
  baseMs: number;
  minBytesPerSecond: number;
  maxMs: number;
}

export const DEFAULT_DEADLINE: DeadlineSettings = {
  baseMs: 2 * 60_000,
  minBytesPerSecond: 32 * 1024,
  maxMs: 60 * 60_000,
};

/** Headroom for one headers-only download (TOP n 0), whose size is not listed. */
export const HEADER_BYTES_ESTIMATE = 16 * 1024;

/** The time a session may take for `bytes` expected, in ms. */
export function allowedMs(settings: DeadlineSettings, bytes: number): number {
  const ms = settings.baseMs + (Math.max(0, bytes) * 1000) / settings.minBytesPerSecond;
  return Math.min(Math.max(ms, settings.baseMs), Math.max(settings.maxMs, settings.baseMs));
}

/**
 * A session's deadline: `signal` aborts when the caller's signal does, or when the time allowed
 * runs out (its reason then a Pop3Error TIMEOUT that says so). The time allowed only grows, as
 * the session learns what it will download.
 */
export class SessionDeadline {
  private readonly controller = new AbortController();
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private allowed = 0;
  private expectedBytes = 0;
  private readonly onOuterAbort: () => void;

  constructor(
    private readonly settings: DeadlineSettings,
    private readonly outer: AbortSignal,
  ) {
    this.onOuterAbort = () => this.abort(outer.reason);
    if (outer.aborted) this.abort(outer.reason);
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.arm(allowedMs(settings, 0));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The session now expects to download `bytes` in all. */
  expect(bytes: number): void {
    this.expectedBytes = Math.max(this.expectedBytes, bytes);
    const ms = allowedMs(this.settings, this.expectedBytes);
    if (ms > this.allowed) this.arm(ms);
  }

  /** Stops the clock and lets go of the caller's signal; call when the session is over. */
  clear(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.allowed = ms;
    if (this.controller.signal.aborted) return;
    const left = this.startedAt + ms - Date.now();
    this.timer = setTimeout(
      () => {
        const seconds = Math.round(ms / 1000);
        const bytes =
          this.expectedBytes > 0 ? ` for ${formatBytes(this.expectedBytes)} of mail` : '';
        this.abort(
          new Pop3Error(
            'TIMEOUT',
            `The server sent too slowly: the check was ended after ${seconds} s, the time allowed${bytes}. What arrived is kept; the next check goes on from there.`,
          ),
        );
      },
      Math.max(0, left),
    );
    this.timer.unref();
  }

  private abort(reason: unknown): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}
