import * as client from 'openid-client';
import type { Db } from '../db/prisma';

/**
 * Hands back (RFC 7009) the refresh token a sign-in just obtained when Popgate stored nothing of
 * it (the account could not be created): a grant nobody holds should not stay valid at the
 * provider. Only where the provider has a revocation endpoint (Google, oidc-provider; Microsoft
 * has none), and best effort: the user is told why the account was not made either way.
 *
 * Some providers (Google) revoke the person's whole consent for Popgate with one token, which
 * would also cut off a grant Popgate keeps for the same person: then nothing is revoked. The
 * person is the same when a kept grant names the same subject, or, when the provider named none
 * (Google's mail scope carries no ID token), when the user already has a grant of that provider.
 */
export async function revokeIssuedTokens(
  deps: {
    prisma: Pick<Db, 'oAuthGrant'>;
    configuration: client.Configuration;
    provider: string;
    userId: string;
  },
  issued: { refreshToken: string | undefined; subject: string | null },
): Promise<boolean> {
  if (!issued.refreshToken || !deps.configuration.serverMetadata().revocation_endpoint) {
    return false;
  }
  const kept = await deps.prisma.oAuthGrant.count({
    where: {
      provider: deps.provider,
      ...(issued.subject !== null
        ? { subject: issued.subject }
        : { account: { userId: deps.userId } }),
    },
  });
  if (kept > 0) return false;
  try {
    await client.tokenRevocation(deps.configuration, issued.refreshToken, {
      token_type_hint: 'refresh_token',
    });
    return true;
  } catch {
    // The provider may be down; the token then expires on its own terms.
    return false;
  }
}
