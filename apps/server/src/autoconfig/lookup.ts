import type { AutoconfigReply } from '@popgate/contracts';
import { DomainError } from '../domain-errors';
import { readConfigDocument, type DocumentSettings } from './config-document';
import { addressParts, type AddressParts } from './email-address';
import {
  fetchConfigDocument,
  type DocumentFetchOptions,
  type HostPolicy,
} from './fetch-config-document';
import { guessFromMx, type MxResolver } from './mx-guess';
import { guessedPop3Hosts, plainGuess, pop3Answers } from './plain-guess';
import { presetForDomain, suggestionFromPreset } from './preset-match';

export interface LookupOptions {
  policy: HostPolicy;
  allowPrivateNetworks: boolean;
  /** Confirm a plain guess by greeting the usual POP3 host names (no sign-in). */
  probe?: boolean;
  resolveMx?: MxResolver;
  /** Where a domain's own document is looked for; tests point it at a local server. */
  documentUrls?: (address: AddressParts) => string[];
  /** Timeout, size cap, trusted CA of the document fetch. */
  fetch?: Pick<DocumentFetchOptions, 'timeoutMs' | 'maxBytes' | 'maxRedirects' | 'ca'>;
  probeTimeoutMs?: number;
}

/** Thunderbird's two places for a domain's own document, over https only. */
export const defaultDocumentUrls = ({ address, domain }: AddressParts) => [
  `https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`,
  `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml`,
];

/**
 * Failures worth telling the user (a domain without a document, or without that host name, is
 * the common case and says nothing).
 */
const QUIET_FAILURES = new Set(['AUTOCONFIG_NOT_FOUND', 'AUTOCONFIG_UNREACHABLE', 'DNS']);

/**
 * Proposed POP3 and SMTP settings for an e-mail address, as Thunderbird finds them: the preset of
 * a known provider's domain; else the domain's own autoconfig document (both places at once, the
 * first that answers with POP3 wins); else the provider its MX records name; else the usual host
 * names, greeted first when `probe` asks for it. Throws INVALID_EMAIL for an address without a
 * usable domain; a document that fails is passed over, with a note when the failure says something.
 */
export async function lookupSettings(
  email: string,
  options: LookupOptions,
): Promise<AutoconfigReply> {
  const address = addressParts(email);
  const preset = presetForDomain(address.domain);
  if (preset) return suggestionFromPreset(preset, 'preset', address);

  const notes: string[] = [];
  const documents = await Promise.allSettled(
    (options.documentUrls ?? defaultDocumentUrls)(address).map(async (url) =>
      readConfigDocument(
        await fetchConfigDocument(url, {
          policy: options.policy,
          allowPrivateNetworks: options.allowPrivateNetworks,
          ...options.fetch,
        }),
        address,
      ),
    ),
  );
  let withoutPop: DocumentSettings | undefined;
  for (const outcome of documents) {
    if (outcome.status === 'fulfilled') {
      if (outcome.value.popAvailable) {
        return {
          source: 'autoconfig',
          ...outcome.value,
          notes: [...notes, ...outcome.value.notes],
          probed: null,
        };
      }
      withoutPop ??= outcome.value;
    } else if (!(outcome.reason instanceof DomainError)) {
      throw outcome.reason;
    } else if (!QUIET_FAILURES.has(outcome.reason.code)) {
      notes.push(`${outcome.reason.message}.`);
    }
  }
  if (withoutPop) notes.push(...withoutPop.notes);

  const mx = await guessFromMx(address.domain, options.resolveMx);
  if (mx) {
    const suggestion = suggestionFromPreset(mx.preset, 'mx', address);
    return {
      ...suggestion,
      notes: [
        `Mail for ${address.domain} is received by ${mx.preset.name} (MX ${mx.exchange}), so these are ${mx.preset.name}'s settings.`,
        ...notes,
        ...suggestion.notes,
      ],
    };
  }

  const guess = plainGuess(address);
  if (!options.probe) return { ...guess, notes: [...notes, ...guess.notes] };
  const hosts = guessedPop3Hosts(address.domain);
  const answers = await Promise.all(
    hosts.map((host) =>
      pop3Answers(
        { host, port: 995, security: 'tls' },
        {
          policy: options.policy,
          allowPrivateNetworks: options.allowPrivateNetworks,
          ...(options.probeTimeoutMs !== undefined && { timeoutMs: options.probeTimeoutMs }),
        },
      ),
    ),
  );
  const found = hosts.find((_host, i) => answers[i]);
  if (found) {
    return {
      ...plainGuess(address, found),
      probed: true,
      notes: [
        ...notes,
        `A POP3 server answered at ${found} (port 995, TLS, certificate valid); the SMTP server is still a guess. Test the connection before saving.`,
      ],
    };
  }
  return {
    ...guess,
    probed: false,
    notes: [
      ...notes,
      `No POP3 server answered at ${hosts.join(', ')} (port 995, TLS): ask your provider for its POP3 server's name.`,
    ],
  };
}
