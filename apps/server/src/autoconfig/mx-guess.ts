import { resolveMx } from 'node:dns/promises';
import { presetForMxHost } from './preset-match';
import type { ProviderPreset } from './provider-presets';

/** Looks up a domain's MX records (node:dns's resolveMx by default; tests pass their own). */
export type MxResolver = (domain: string) => Promise<Array<{ exchange: string; priority: number }>>;

export const systemMxResolver: MxResolver = (domain) => resolveMx(domain);

export interface MxGuess {
  preset: ProviderPreset;
  /** The MX host that gave the provider away. */
  exchange: string;
}

/**
 * Who receives a domain's mail, from its MX records, most preferred first: Google (Workspace),
 * Microsoft 365, or any other provider of the preset table. Undefined when the records name no
 * known provider, or cannot be read within `timeoutMs` (a guess is not worth a long wait).
 */
export async function guessFromMx(
  domain: string,
  resolver: MxResolver = systemMxResolver,
  timeoutMs = 3_000,
): Promise<MxGuess | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const records = await Promise.race([resolver(domain).catch(() => undefined), deadline]);
    for (const record of [...(records ?? [])].sort((a, b) => a.priority - b.priority)) {
      const preset = presetForMxHost(record.exchange);
      if (preset) return { preset, exchange: record.exchange.toLowerCase().replace(/\.$/, '') };
    }
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
