/** The audit log's actions, in words. An action not listed here is shown as it is. */
export const AUDIT_ACTIONS: Record<string, string> = {
  'user.signup': 'Signed up',
  'user.login': 'Signed in',
  'user.login_failed': 'Sign-in failed',
  'user.logout': 'Signed out',
  'user.password_changed': 'Changed their password',
  'account.created': 'Linked a POP3 account',
  'account.changed': 'Changed a POP3 account',
  'account.deleted': 'Removed a POP3 account',
  'admin.user_created': 'Admin: created a user',
  'admin.user_changed': 'Admin: changed a user',
  'admin.user_signed_out': 'Admin: signed a user out everywhere',
  'admin.account_disabled': 'Admin: disabled an account',
  'admin.account_enabled': 'Admin: enabled an account',
  'admin.account_sync': 'Admin: checked an account now',
  'admin.policy_changed': 'Admin: changed the policy',
};

/** The action filter's choices: every action of a kind (a prefix), or one action. */
export const AUDIT_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'All actions' },
  { value: 'admin.', label: 'Every admin action' },
  { value: 'user.', label: 'Every sign-in and sign-up' },
  { value: 'account.', label: 'Every change to linked accounts' },
  ...Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label })),
];

export const describeAction = (action: string): string => AUDIT_ACTIONS[action] ?? action;

const isChange = (value: unknown): value is { from: unknown; to: unknown } =>
  value !== null && typeof value === 'object' && 'from' in value && 'to' in value;

/**
 * An entry's details (JSON of the server's choosing) as one short line. A change shows as
 * "from → to"; one that changed nothing (older entries listed every field of a save) is left out.
 */
export function describeDetails(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details as Record<string, unknown>)
    .filter(
      ([, value]) => !isChange(value) || JSON.stringify(value.from) !== JSON.stringify(value.to),
    )
    .map(([key, value]) => {
      if (isChange(value)) {
        return `${key}: ${JSON.stringify(value.from)} → ${JSON.stringify(value.to)}`;
      }
      return `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
    })
    .join('; ');
}
