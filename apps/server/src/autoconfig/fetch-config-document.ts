import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { checkHost } from '../accounts/host-check';
import { DomainError, unprocessable } from '../domain-errors';
import type { Policy } from '../generated/prisma/client';
import { pinnedLookup } from '../net/pinned-lookup';

export type HostPolicy = Pick<
  Policy,
  'allowedHosts' | 'refusedHosts' | 'allowedNetworks' | 'refusedNetworks'
>;

export interface DocumentFetchOptions {
  policy: HostPolicy;
  allowPrivateNetworks: boolean;
  /** For the whole fetch, redirects included (default 3 s). */
  timeoutMs?: number;
  /** Larger documents are cut off and refused (default 64 KiB). */
  maxBytes?: number;
  maxRedirects?: number;
  /** Extra trusted certificate authorities (tests). */
  ca?: string;
}

export const DOCUMENT_FETCH_DEFAULTS = { timeoutMs: 3_000, maxBytes: 64 * 1024, maxRedirects: 3 };

const failed = (code: string, message: string) => unprocessable(code, message);
const timedOut = (url: URL) =>
  failed('AUTOCONFIG_TIMEOUT', `The autoconfig document at ${url.host} took too long to arrive`);

/**
 * Fetches a domain's autoconfig document on the user's behalf. Every hop's host goes through the
 * host check (the admin's lists, then the private-network guard, resolved once) and the connection
 * goes to the address it approved; a few redirects are followed, each checked again, never from
 * https down to http. The body is read as it arrives and cut off past `maxBytes`; the whole fetch
 * has one deadline. Throws the host check's errors (DNS, BLOCKED_HOST, HOST_NOT_ALLOWED) or
 * AUTOCONFIG_TIMEOUT, AUTOCONFIG_TOO_LARGE, AUTOCONFIG_REDIRECTS, AUTOCONFIG_NOT_FOUND,
 * AUTOCONFIG_UNREACHABLE.
 */
export async function fetchConfigDocument(
  url: string,
  options: DocumentFetchOptions,
): Promise<string> {
  const { timeoutMs, maxBytes, maxRedirects } = { ...DOCUMENT_FETCH_DEFAULTS, ...options };
  const signal = AbortSignal.timeout(timeoutMs);
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      throw failed('AUTOCONFIG_UNREACHABLE', 'An autoconfig document is fetched over http(s) only');
    }
    const response = await request(target, options, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (hop >= maxRedirects) {
        throw failed(
          'AUTOCONFIG_REDIRECTS',
          `The autoconfig document at ${target.host} redirects more than ${maxRedirects} times`,
        );
      }
      const next = new URL(location, target);
      if (target.protocol === 'https:' && next.protocol !== 'https:') {
        throw failed(
          'AUTOCONFIG_UNREACHABLE',
          `The autoconfig document at ${target.host} redirects from https to an unencrypted address`,
        );
      }
      target = next;
      continue;
    }
    if (status !== 200) {
      response.destroy();
      throw failed(
        'AUTOCONFIG_NOT_FOUND',
        `No autoconfig document at ${target.host} (the server answered ${status || 'nothing'})`,
      );
    }
    return await readCapped(response, target, maxBytes, signal);
  }
}

async function request(
  url: URL,
  options: DocumentFetchOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const address = await checkHost(host, options.policy, options);
  if (signal.aborted) throw timedOut(url);
  const lookup = pinnedLookup(address);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'GET',
        lookup,
        signal,
        agent: false,
        ...(options.ca && { ca: options.ca }),
        headers: { accept: 'application/xml, text/xml', 'user-agent': 'Popgate autoconfig' },
      },
      resolve,
    );
    req.on('error', (error) =>
      reject(
        signal.aborted
          ? timedOut(url)
          : failed(
              'AUTOCONFIG_UNREACHABLE',
              `The autoconfig document at ${url.host} could not be fetched: ${error.message}`,
            ),
      ),
    );
    req.end();
  });
}

async function readCapped(
  response: IncomingMessage,
  url: URL,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  const tooLarge = () =>
    failed(
      'AUTOCONFIG_TOO_LARGE',
      `The autoconfig document at ${url.host} is larger than ${Math.round(maxBytes / 1024)} KiB; it was cut off and not read`,
    );
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        response.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw signal.aborted
      ? timedOut(url)
      : failed('AUTOCONFIG_UNREACHABLE', `The autoconfig document at ${url.host} broke off`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
