import { pollSecondsWhileOpen } from '@popgate/contracts';
import type { SyncFailure } from './failure';

/** How often to look for mail, by situation. */
export interface PollSettings {
  /**
   * The account's own interval: while its owner does not have the app open, and also while they
   * do when it is slower than the default (pollSecondsWhileOpen).
   */
  pollSeconds: number;
  /** The admin's floor for every interval. */
  minPollSeconds: number;
  /** The server's LOGIN-DELAY from CAPA, if any: never log in more often than that. */
  loginDelaySeconds: number | null;
}

const MINUTE = 60;
const MAX_BACKOFF_SECONDS = 60 * MINUTE;
const IN_USE_RETRY_SECONDS = 5 * MINUTE;
const DEFAULT_LOGIN_DELAY_SECONDS = 15 * MINUTE;

/** ±20 % so that accounts that failed together do not retry together. */
const jitter = (seconds: number, random: () => number) =>
  Math.round(seconds * (0.8 + 0.4 * random()));

/**
 * When to check an account next. Returns null for "not until the user changes the account".
 * `failures` counts consecutive failed syncs including this one.
 */
export function nextSyncDelaySeconds(
  settings: PollSettings,
  outcome: { ok: true } | { ok: false; failure: SyncFailure; failures: number },
  ownerActive: boolean,
  random: () => number = Math.random,
): number | null {
  const floor = Math.max(settings.minPollSeconds, settings.loginDelaySeconds ?? 0);
  if (outcome.ok) {
    const interval = ownerActive
      ? pollSecondsWhileOpen(settings.pollSeconds)
      : settings.pollSeconds;
    return Math.max(interval, floor);
  }
  switch (outcome.failure.retry) {
    case 'stop':
      return null;
    case 'in-use':
      return Math.max(jitter(IN_USE_RETRY_SECONDS, random), floor);
    case 'login-delay':
      return Math.max(settings.loginDelaySeconds ?? DEFAULT_LOGIN_DELAY_SECONDS, floor);
    case 'backoff': {
      const exponential = Math.min(MINUTE * 2 ** (outcome.failures - 1), MAX_BACKOFF_SECONDS);
      return Math.max(jitter(exponential, random), settings.minPollSeconds);
    }
  }
}
