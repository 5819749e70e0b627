import type { FastifyRequest } from 'fastify';

/**
 * Where the provider sends the browser back: this Popgate as the browser reached it (the proxy's
 * name and scheme when POPGATE_TRUST_PROXY believes it). The provider only accepts a redirect URI
 * registered there, so a forged Host header leads nowhere.
 */
export const callbackUrl = (request: FastifyRequest) =>
  `${request.protocol}://${request.host}/api/oauth/callback`;
