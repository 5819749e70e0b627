import { describe, expect, it } from 'vitest';
import type { SyncFailure } from '../src/sync/failure';
import { nextSyncDelaySeconds, type PollSettings } from '../src/sync/next-sync';

const settings: PollSettings = {
  pollSeconds: 300,
  minPollSeconds: 30,
  loginDelaySeconds: null,
};
const failure = (retry: SyncFailure['retry']): SyncFailure => ({
  status: 'temp_error',
  code: 'X',
  message: '',
  retry,
});
const middle = () => 0.5;

describe('when an account is checked next', () => {
  it('at its own interval while the owner is away', () => {
    expect(nextSyncDelaySeconds(settings, { ok: true }, false)).toBe(300);
  });

  it('every minute while the owner has the app open, at the default interval or a faster one', () => {
    expect(nextSyncDelaySeconds(settings, { ok: true }, true)).toBe(60);
    expect(nextSyncDelaySeconds({ ...settings, pollSeconds: 120 }, { ok: true }, true)).toBe(60);
    expect(nextSyncDelaySeconds({ ...settings, pollSeconds: 45 }, { ok: true }, true)).toBe(45);
  });

  it('never faster than an interval the user chose slower than the default, app open or not', () => {
    const slow = { ...settings, pollSeconds: 900 };
    expect(nextSyncDelaySeconds(slow, { ok: true }, true)).toBe(900);
    expect(nextSyncDelaySeconds(slow, { ok: true }, false)).toBe(900);
  });

  it('never more often than the server LOGIN-DELAY allows, even with the app open', () => {
    expect(nextSyncDelaySeconds({ ...settings, loginDelaySeconds: 300 }, { ok: true }, true)).toBe(
      300,
    );
  });

  it('never more often than the admin minimum', () => {
    expect(
      nextSyncDelaySeconds(
        { ...settings, pollSeconds: 5, minPollSeconds: 120 },
        { ok: true },
        false,
      ),
    ).toBe(120);
  });

  it('not at all after an authentication failure, until the user updates the account', () => {
    expect(
      nextSyncDelaySeconds(settings, { ok: false, failure: failure('stop'), failures: 1 }, true),
    ).toBeNull();
  });

  it('backs off exponentially on network trouble, up to an hour, with jitter', () => {
    const delays = [1, 2, 3, 4, 10].map((failures) =>
      nextSyncDelaySeconds(
        settings,
        { ok: false, failure: failure('backoff'), failures },
        false,
        middle,
      ),
    );
    expect(delays).toEqual([60, 120, 240, 480, 3600]);
    const low = nextSyncDelaySeconds(
      settings,
      { ok: false, failure: failure('backoff'), failures: 3 },
      false,
      () => 0,
    );
    const high = nextSyncDelaySeconds(
      settings,
      { ok: false, failure: failure('backoff'), failures: 3 },
      false,
      () => 1,
    );
    expect([low, high]).toEqual([192, 288]);
  });

  it('retries a mailbox in use by another program after a few minutes', () => {
    expect(
      nextSyncDelaySeconds(
        settings,
        { ok: false, failure: failure('in-use'), failures: 1 },
        true,
        middle,
      ),
    ).toBe(300);
  });

  it('waits out a LOGIN-DELAY refusal', () => {
    const withDelay = { ...settings, loginDelaySeconds: 900 };
    expect(
      nextSyncDelaySeconds(
        withDelay,
        { ok: false, failure: failure('login-delay'), failures: 1 },
        true,
      ),
    ).toBe(900);
    expect(
      nextSyncDelaySeconds(
        settings,
        { ok: false, failure: failure('login-delay'), failures: 1 },
        true,
      ),
    ).toBe(900);
  });
});
