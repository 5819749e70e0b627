import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ErrorReply, ReadyReply } from '../src';

describe('shared reply shapes', () => {
  it('accept an error reply with a code and a message', () => {
    expect(
      Value.Check(ErrorReply, { error: { code: 'NOT_FOUND', message: 'No such message' } }),
    ).toBe(true);
  });

  it('reject an error reply without a message', () => {
    expect(Value.Check(ErrorReply, { error: { code: 'NOT_FOUND' } })).toBe(false);
  });

  it.each([
    [{ status: 'ready', migrations: 2 }, true],
    [{ status: 'migrating', pending: ['20261129_x'] }, true],
    [{ status: 'unavailable', error: 'connection refused' }, true],
    [{ status: 'ready' }, false],
    [{ status: 'sleeping' }, false],
  ])('tell a valid readiness reply from an invalid one: %j', (reply, valid) => {
    expect(Value.Check(ReadyReply, reply)).toBe(valid);
  });
});
