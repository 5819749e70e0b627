import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../src/db/uuid-v7';

const VERSION_7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid v7 for rows inserted directly', () => {
  it('makes valid version 7 ids carrying the time they were made', () => {
    const at = Date.UTC(2026, 10, 29, 9, 0, 0, 123);
    const id = uuidV7(at + 10_000);
    expect(id).toMatch(VERSION_7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at + 10_000);
  });

  it('sorts ids in the order they were made, also thousands within one millisecond', () => {
    const at = Date.now() + 20_000;
    const ids = Array.from({ length: 10_000 }, () => uuidV7(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(VERSION_7);
  });

  it('never sorts a later id before an earlier one when the clock goes back', () => {
    const at = Date.now() + 30_000;
    const before = uuidV7(at);
    const after = uuidV7(at - 5_000);
    expect(after > before).toBe(true);
  });
});
