import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Remote images in a message are shown only through Popgate's image proxy, and the proxy fetches
 * only URLs Popgate itself wrote into that message's sanitized HTML: each proxy URL carries an
 * HMAC of (message id, remote URL) under a key derived from the server's secret key.
 */
export class ImageProxySigner {
  private readonly key: Buffer;

  constructor(secretKey: Buffer) {
    this.key = createHmac('sha256', secretKey).update('popgate image proxy v1').digest();
  }

  signature(messageId: string, remoteUrl: string): string {
    return createHmac('sha256', this.key).update(`${messageId}\n${remoteUrl}`).digest('base64url');
  }

  verify(messageId: string, remoteUrl: string, signature: string): boolean {
    const expected = Buffer.from(this.signature(messageId, remoteUrl));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** The same-origin URL the browser loads the image from. */
  proxyUrl(messageId: string, remoteUrl: string): string {
    return `/api/messages/${messageId}/images?url=${strictlyEncoded(remoteUrl)}&sig=${this.signature(messageId, remoteUrl)}`;
  }
}

/** encodeURIComponent leaves !'()* alone; encoded too, the URL is safe inside CSS url("...") as well. */
function strictlyEncoded(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
