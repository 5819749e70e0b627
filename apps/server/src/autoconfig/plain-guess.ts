import type { AutoconfigReply, Security } from '@popgate/contracts';
import { probeServer } from '@popgate/pop3';
import { checkHost } from '../accounts/host-check';
import type { AddressParts } from './email-address';
import type { HostPolicy } from './fetch-config-document';

/** The usual names of a domain's own POP3 server, the likeliest first. */
export const guessedPop3Hosts = (domain: string) => [
  `pop.${domain}`,
  `pop3.${domain}`,
  `mail.${domain}`,
];

/** What most domains of their own use: pop.<domain> over TLS, smtp.<domain> with STARTTLS. */
export function plainGuess(
  address: AddressParts,
  pop3Host = `pop.${address.domain}`,
): AutoconfigReply {
  return {
    source: 'guess',
    provider: null,
    popAvailable: true,
    pop3: { host: pop3Host, port: 995, security: 'tls' },
    smtp: { host: `smtp.${address.domain}`, port: 587, security: 'starttls' },
    oauth: null,
    signIn: 'password',
    username: address.address,
    notes: [
      'These settings are a guess from the usual server names: check them with your provider, and test the connection before saving.',
    ],
    probed: null,
  };
}

export interface ProbeOptions {
  policy: HostPolicy;
  allowPrivateNetworks: boolean;
  /** For the whole probe (default 5 s). */
  timeoutMs?: number;
}

/**
 * Does a POP3 server answer at host:port? The host check first (the admin's lists and the
 * private-network guard), then the connection test's own client, up to the greeting and the
 * capabilities, over TLS with a verified certificate when asked: no sign-in, nothing sent of
 * the user's. Any failure, or no answer in time, is false.
 */
export async function pop3Answers(
  server: { host: string; port: number; security: Security },
  options: ProbeOptions,
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const address = await checkHost(server.host, options.policy, options);
    await probeServer({
      host: server.host,
      port: server.port,
      address,
      security: server.security,
      timeouts: { connectMs: timeoutMs, greetingMs: timeoutMs, commandMs: timeoutMs },
      limits: { maxLineBytes: 64 * 1024, maxMessageBytes: 64 * 1024 },
      signal,
    });
    return true;
  } catch {
    return false;
  }
}
