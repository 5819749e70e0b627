import { DEFAULT_ACCOUNT_POLICY, type AccountPolicy } from '@popgate/contracts';
import type { Policy } from '../generated/prisma/client';

/**
 * What a new account gets for each policy field it leaves out, under the admin's policy: the
 * check interval is raised to the admin's minimum, and mail is left on the server for the admin's
 * default retention (kept for ever when there is none).
 */
export function accountPolicyDefaults(
  policy: Pick<Policy, 'minPollSeconds' | 'defaultRetentionDays'>,
): AccountPolicy {
  return {
    ...DEFAULT_ACCOUNT_POLICY,
    pollSeconds: Math.max(DEFAULT_ACCOUNT_POLICY.pollSeconds, policy.minPollSeconds),
    deleteAfterDays: policy.defaultRetentionDays,
  };
}
