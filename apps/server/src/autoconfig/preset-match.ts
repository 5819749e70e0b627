import type { AutoconfigReply, AutoconfigSource } from '@popgate/contracts';
import type { AddressParts } from './email-address';
import { PROVIDER_PRESETS, type ProviderPreset } from './provider-presets';

const byDomain = new Map<string, ProviderPreset>(
  PROVIDER_PRESETS.flatMap((preset) => preset.domains.map((domain) => [domain, preset] as const)),
);

/** The preset of an address domain (exact match: gmail.com, hotmail.co.uk…), if any. */
export const presetForDomain = (domain: string): ProviderPreset | undefined =>
  byDomain.get(domain.toLowerCase());

const isUnder = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

/**
 * The preset whose mail servers an MX host belongs to: the longest suffix wins, so AOL's
 * mail.gm0.yahoodns.net beats Yahoo's yahoodns.net. An MX host in a provider's address domain
 * (mx00.gmx.net) counts as well, after a declared MX suffix of the same length.
 */
export function presetForMxHost(mxHost: string): ProviderPreset | undefined {
  const host = mxHost.toLowerCase().replace(/\.$/, '');
  let best: { preset: ProviderPreset; score: number } | undefined;
  for (const preset of PROVIDER_PRESETS) {
    for (const [suffixes, bonus] of [
      [preset.mxSuffixes, 0.5],
      [preset.domains, 0],
    ] as const) {
      for (const suffix of suffixes) {
        // A declared MX suffix beats an address domain of the same length (googlemail.com).
        const score = suffix.length + bonus;
        if (isUnder(host, suffix) && score > (best?.score ?? 0)) best = { preset, score };
      }
    }
  }
  return best?.preset;
}

/** A preset as the answer to an address. */
export function suggestionFromPreset(
  preset: ProviderPreset,
  source: AutoconfigSource,
  address: AddressParts,
): AutoconfigReply {
  return {
    source,
    provider: preset.name,
    popAvailable: preset.pop3 !== null,
    pop3: preset.pop3 && { ...preset.pop3 },
    smtp: preset.pop3 && preset.smtp && { ...preset.smtp },
    oauth: preset.oauth,
    signIn: preset.signIn,
    username: preset.username === 'local-part' ? address.localPart : address.address,
    notes: [...preset.notes],
    probed: null,
  };
}
