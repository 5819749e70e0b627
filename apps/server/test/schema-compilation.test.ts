import { afterEach, describe, expect, it, vi } from 'vitest';
import { testApp } from './support/app';

describe('compiling the request and response schemas', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints no ajv strict-mode warning when the app starts', async () => {
    const printed: string[] = [];
    for (const method of ['log', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
    const subject = await testApp();
    try {
      // Schemas compile as the routes are readied.
      await subject.app.ready();
    } finally {
      await subject.close();
    }
    expect(printed.filter((line) => /strict mode|strictTypes/.test(line))).toEqual([]);
  });
});
