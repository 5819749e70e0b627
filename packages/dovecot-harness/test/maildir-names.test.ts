import { describe, expect, it } from 'vitest';
import { compareMaildirNames, maildirBaseName, nextMaildirName } from '../src/maildir-names';

describe('maildir names', () => {
  it('hands out names that sort in the order they were created', () => {
    const names = Array.from({ length: 500 }, () => nextMaildirName());
    expect([...names].sort(compareMaildirNames)).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it('sorts numerically by seconds and microseconds, like Dovecot', () => {
    const names = ['1000.M20P1.x', '999.M900P1.x', '1000.M3P1.x', '1000.M3P1.a'];
    expect(names.sort(compareMaildirNames)).toEqual([
      '999.M900P1.x',
      '1000.M3P1.a',
      '1000.M3P1.x',
      '1000.M20P1.x',
    ]);
  });

  it('strips the flags suffix to get the base name', () => {
    expect(maildirBaseName('1.M2P3Q4.popgate:2,S')).toBe('1.M2P3Q4.popgate');
    expect(maildirBaseName('1.M2P3Q4.popgate')).toBe('1.M2P3Q4.popgate');
  });
});
