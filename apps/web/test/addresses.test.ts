import { describe, expect, it } from 'vitest';
import {
  addRecipients,
  addressProblem,
  formatAddress,
  isValidAddress,
  parseAddresses,
} from '../src/lib/addresses';

describe('recipient addresses', () => {
  it('splits a pasted list into one recipient each, names kept', () => {
    expect(parseAddresses('A <a@x>, b@y')).toEqual([
      { name: 'A', address: 'a@x' },
      { name: '', address: 'b@y' },
    ]);
  });

  it('keeps a quoted name with a comma in it as one recipient', () => {
    expect(
      parseAddresses('"Doe, Jo" <jo@example.com>; mailto:max@example.com\nann@example.com'),
    ).toEqual([
      { name: 'Doe, Jo', address: 'jo@example.com' },
      { name: '', address: 'max@example.com' },
      { name: '', address: 'ann@example.com' },
    ]);
  });

  it('ignores empty entries between separators', () => {
    expect(parseAddresses(' , a@x,, ;')).toEqual([{ name: '', address: 'a@x' }]);
  });

  it('says why an entry is not an address', () => {
    expect(addressProblem({ name: '', address: 'bob' })).toBe(
      '“bob” is not an email address: it has no @.',
    );
    expect(addressProblem({ name: '', address: 'bob @example.com' })).toBe(
      '“bob @example.com” is not a valid email address.',
    );
    expect(addressProblem({ name: 'Bob', address: '' })).toBe('“Bob” has no email address.');
    expect(addressProblem({ name: 'Bob\r\nBcc: x@y', address: 'bob@example.com' })).toBe(
      'An address cannot contain a line break.',
    );
    expect(addressProblem({ name: 'Bob', address: 'bob@example.com' })).toBeNull();
  });

  it('accepts what the server accepts and refuses brackets and spaces', () => {
    expect(isValidAddress('b@y')).toBe(true);
    expect(isValidAddress('first.last+tag@mail.example.org')).toBe(true);
    expect(isValidAddress('a@b@c')).toBe(false);
    expect(isValidAddress('<a@b>')).toBe(false);
  });

  it('writes a recipient back as it would be typed, quoting names that need it', () => {
    expect(formatAddress({ name: 'Doe, Jo', address: 'jo@example.com' })).toBe(
      '"Doe, Jo" <jo@example.com>',
    );
    expect(formatAddress({ name: '', address: 'jo@example.com' })).toBe('jo@example.com');
  });

  it('adds each address once, whatever its case', () => {
    const list = [{ name: 'Jo', address: 'jo@example.com' }];
    expect(addRecipients(list, [{ name: '', address: 'JO@example.com' }])).toEqual(list);
  });
});
