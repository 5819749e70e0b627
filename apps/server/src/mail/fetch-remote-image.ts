import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { HostRefusedError, resolveAllowedAddress } from '../net/host-guard';
import { pinnedLookup } from '../net/pinned-lookup';

/** Raster types the proxy passes on; SVG (which can carry script) and everything else are refused. */
const IMAGE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);

export interface RemoteImageOptions {
  allowPrivateNetworks: boolean;
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  /** Tests answer DNS themselves. */
  resolve?: (host: string) => Promise<string[]>;
}

export interface RemoteImage {
  contentType: string;
  body: Buffer;
}

export type RemoteImageFailure =
  | 'BLOCKED_HOST'
  | 'DNS'
  | 'NOT_AN_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'TIMEOUT'
  | 'UNREACHABLE'
  | 'BAD_URL';

export class RemoteImageError extends Error {
  constructor(
    readonly code: RemoteImageFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteImageError';
  }
}

const DEFAULTS = { maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 3 };

/**
 * Fetches a remote image on the reader's behalf, so the sender sees Popgate, not the reader: no
 * cookies, no referrer, no client headers. Every hop's host goes through the SSRF guard and the
 * connection goes to the address it checked; redirects are followed a few times, each checked
 * again. Only image types pass, within a size cap and an overall timeout.
 */
export async function fetchRemoteImage(
  url: string,
  options: RemoteImageOptions,
): Promise<RemoteImage> {
  const { maxBytes, timeoutMs, maxRedirects } = { ...DEFAULTS, ...options };
  const signal = AbortSignal.timeout(timeoutMs);
  let target = url;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const response = await request(target, options, signal);
    const location = response.headers.location;
    if (
      response.statusCode &&
      response.statusCode >= 300 &&
      response.statusCode < 400 &&
      location
    ) {
      response.resume();
      target = new URL(location, target).href;
      continue;
    }
    if (response.statusCode !== 200) {
      response.resume();
      throw new RemoteImageError(
        'UNREACHABLE',
        `The image's server answered ${response.statusCode ?? 'nothing'}`,
      );
    }
    const contentType = (response.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!IMAGE_TYPES.has(contentType)) {
      response.destroy();
      throw new RemoteImageError(
        'NOT_AN_IMAGE',
        `The remote file is not an image (${contentType || 'no type'})`,
      );
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.destroy();
      throw tooLarge(maxBytes);
    }
    return { contentType, body: await readCapped(response, maxBytes, signal) };
  }
  throw new RemoteImageError('UNREACHABLE', 'The image redirects too many times');
}

const tooLarge = (maxBytes: number) =>
  new RemoteImageError(
    'IMAGE_TOO_LARGE',
    `The image is larger than ${Math.round(maxBytes / 1024)} KiB`,
  );

async function request(
  target: string,
  options: RemoteImageOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new RemoteImageError('BAD_URL', 'The image address is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteImageError('BAD_URL', 'Only http and https images are fetched');
  }
  let address: string;
  try {
    address = await resolveAllowedAddress(url.hostname, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      ...(options.resolve && { resolve: options.resolve }),
    });
  } catch (error) {
    if (error instanceof HostRefusedError) throw new RemoteImageError(error.code, error.message);
    throw error;
  }
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
        headers: {
          accept: [...IMAGE_TYPES].join(', '),
          'user-agent': 'Popgate image proxy',
        },
      },
      resolve,
    );
    req.on('error', (error) =>
      reject(
        signal.aborted
          ? new RemoteImageError('TIMEOUT', 'The image took too long to arrive')
          : new RemoteImageError('UNREACHABLE', `The image could not be fetched: ${error.message}`),
      ),
    );
    req.end();
  });
}

async function readCapped(
  response: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        response.destroy();
        throw tooLarge(maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof RemoteImageError) throw error;
    throw signal.aborted
      ? new RemoteImageError('TIMEOUT', 'The image took too long to arrive')
      : new RemoteImageError('UNREACHABLE', 'The image download broke off');
  }
  return Buffer.concat(chunks);
}
