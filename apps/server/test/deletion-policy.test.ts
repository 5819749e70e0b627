import { describe, expect, it } from 'vitest';
import { messagesToDelete, type StoredOnServer } from '../src/sync/deletion-policy';

const now = new Date('2026-11-28T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const message = (uidl: string, extra: Partial<StoredOnServer> = {}): StoredOnServer => ({
  uidl,
  receivedAt: daysAgo(0),
  trashedAt: null,
  headersOnly: false,
  ...extra,
});

describe('which messages are deleted from the server', () => {
  const stored = [
    message('fresh'),
    message('old', { receivedAt: daysAgo(30) }),
    message('trashed', { trashedAt: daysAgo(1) }),
    message('big-headers-only', {
      headersOnly: true,
      receivedAt: daysAgo(90),
      trashedAt: daysAgo(1),
    }),
  ];

  it('none when leaving everything on the server (the default)', () => {
    expect(
      messagesToDelete(
        { leaveOnServer: true, deleteAfterDays: null, deleteWhenDeletedHere: false },
        stored,
        now,
      ),
    ).toEqual([]);
  });

  it('every fully downloaded message when not leaving mail on the server', () => {
    expect(
      messagesToDelete(
        { leaveOnServer: false, deleteAfterDays: null, deleteWhenDeletedHere: false },
        stored,
        now,
      ),
    ).toEqual(['fresh', 'old', 'trashed']);
  });

  it('those older than N days, counted from when Popgate downloaded them', () => {
    const policy = { leaveOnServer: true, deleteAfterDays: 14, deleteWhenDeletedHere: false };
    expect(messagesToDelete(policy, stored, now)).toEqual(['old']);
    expect(messagesToDelete(policy, [message('edge', { receivedAt: daysAgo(14) })], now)).toEqual([
      'edge',
    ]);
    expect(
      messagesToDelete(
        policy,
        [message('almost', { receivedAt: new Date(daysAgo(14).getTime() + 1000) })],
        now,
      ),
    ).toEqual([]);
  });

  it('those deleted here, when asked', () => {
    expect(
      messagesToDelete(
        { leaveOnServer: true, deleteAfterDays: null, deleteWhenDeletedHere: true },
        stored,
        now,
      ),
    ).toEqual(['trashed']);
  });

  it('never a message of which only the headers were fetched', () => {
    const all = { leaveOnServer: false, deleteAfterDays: 1, deleteWhenDeletedHere: true };
    expect(messagesToDelete(all, stored, now)).not.toContain('big-headers-only');
  });
});
