import { describe, expect, it, vi } from 'vitest';
import { PresenceMarks } from '../src/routes/events/presence-marks';

describe('presence marks', () => {
  it('writes a user’s mark once however many sockets beat, then again after the pause', async () => {
    vi.useFakeTimers();
    try {
      const written: string[] = [];
      const marks = new PresenceMarks(async (userId) => {
        written.push(userId);
      }, 10_000);
      await Promise.all([marks.mark('ada'), marks.mark('ada'), marks.mark('bob')]);
      await marks.mark('ada');
      expect(written).toEqual(['ada', 'bob']);
      await vi.advanceTimersByTimeAsync(10_000);
      await marks.mark('ada');
      expect(written).toEqual(['ada', 'bob', 'ada']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tries a failed mark again at the next beat', async () => {
    let fail = true;
    let attempts = 0;
    const marks = new PresenceMarks(async () => {
      attempts += 1;
      if (fail) throw new Error('database down');
    }, 10_000);
    await expect(marks.mark('ada')).rejects.toThrow('database down');
    fail = false;
    await marks.mark('ada');
    expect(attempts).toBe(2);
  });
});
