import https from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { DomainError } from '../domain-errors';
import { HostRefusedError, resolveAllowedAddress } from '../net/host-guard';
import { pinnedLookup } from '../net/pinned-lookup';

export interface OneClickOptions {
  allowPrivateNetworks: boolean;
  timeoutMs?: number;
  /** Tests trust their own certificate; otherwise the system's CAs (and NODE_EXTRA_CA_CERTS). */
  ca?: SecureContextOptions['ca'];
  /** Tests answer DNS themselves. */
  resolve?: (host: string) => Promise<string[]>;
}

const failed = (message: string) => new DomainError('unprocessable', 'UNSUBSCRIBE_FAILED', message);

/**
 * The RFC 8058 one-click unsubscribe: POST "List-Unsubscribe=One-Click" to the sender's HTTPS
 * URL, on the reader's behalf and without anything of theirs (no cookies, no referrer). The host
 * goes through the SSRF guard and the connection goes to the address it checked. Redirects are
 * not followed (RFC 8058 forbids the sender to answer with one). Answers the HTTP status.
 */
export async function postOneClickUnsubscribe(
  target: string,
  options: OneClickOptions,
): Promise<number> {
  const url = new URL(target);
  if (url.protocol !== 'https:') throw failed('A one-click unsubscribe needs an https address');
  let address: string;
  try {
    address = await resolveAllowedAddress(url.hostname, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      ...(options.resolve && { resolve: options.resolve }),
    });
  } catch (error) {
    if (error instanceof HostRefusedError) throw error;
    throw failed(`The sender's unsubscribe address ${url.hostname} could not be reached`);
  }
  const lookup = pinnedLookup(address);
  const body = 'List-Unsubscribe=One-Click';
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  return new Promise<number>((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: 'POST',
        lookup,
        signal,
        agent: false,
        ...(options.ca && { ca: options.ca }),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Popgate one-click unsubscribe',
        },
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(status);
        else reject(failed(`The sender's server refused the unsubscribe (HTTP ${status})`));
      },
    );
    request.on('error', (error) =>
      reject(
        signal.aborted
          ? failed(`The sender's server (${url.hostname}) did not answer in time`)
          : failed(`The sender's server (${url.hostname}) could not be reached: ${error.message}`),
      ),
    );
    request.end(body);
  });
}
