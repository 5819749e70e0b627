import type { OAuthGrantSummary } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { grantSummarySelect, toGrantSummary } from '../oauth/grant-summary';

/**
 * The OAuth2 link of each of these accounts, as their owner sees it (the provider to sign in to
 * again, its state, the last refresh): never a token. Accounts without a grant answer null.
 */
export async function accountGrants(
  prisma: Db,
  accountIds: string[],
): Promise<(accountId: string) => OAuthGrantSummary | null> {
  const grants = accountIds.length
    ? await prisma.oAuthGrant.findMany({
        where: { accountId: { in: accountIds } },
        select: { accountId: true, ...grantSummarySelect },
      })
    : [];
  const byAccount = new Map(grants.map((grant) => [grant.accountId, toGrantSummary(grant)]));
  return (accountId) => byAccount.get(accountId) ?? null;
}
