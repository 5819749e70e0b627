import type { OAuthGrantSummary } from '@popgate/contracts';
import type { OAuthGrant } from '../generated/prisma/client';

/** The columns an admin may see of a grant: which provider, whose, and its refresh history. */
export const grantSummarySelect = {
  provider: true,
  subject: true,
  status: true,
  lastRefreshedAt: true,
  accessExpiresAt: true,
  refreshCount: true,
} as const;

type SummaryColumns = Pick<OAuthGrant, keyof typeof grantSummarySelect>;

/** Never a token, sealed or not. */
export const toGrantSummary = (grant: SummaryColumns | null): OAuthGrantSummary | null =>
  grant && {
    provider: grant.provider,
    subject: grant.subject,
    status: grant.status,
    lastRefreshedAt: grant.lastRefreshedAt?.toISOString() ?? null,
    accessExpiresAt: grant.accessExpiresAt?.toISOString() ?? null,
    refreshCount: grant.refreshCount,
  };
