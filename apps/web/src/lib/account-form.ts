import type {
  AccountIn,
  AccountPolicy,
  AccountOut,
  AccountPatch,
  AccountTestIn,
  AuthMethod,
  Security,
} from '@popgate/contracts';

/** The account form as the user fills it in (minutes and KB, as Thunderbird asks). */
export interface AccountForm {
  label: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  password: string;
  auth: AuthMethod;
  leaveOnServer: boolean;
  deleteAfter: boolean;
  deleteAfterDays: number;
  deleteWhenDeletedHere: boolean;
  pollMinutes: number;
  headersOnly: boolean;
  headersOnlyKb: number;
  caPem: string;
  pinSha256: string;
}

export const DEFAULT_PORTS: Record<Security, number> = { tls: 995, starttls: 110, none: 110 };

export const SECURITY_CHOICES: { value: Security; label: string }[] = [
  { value: 'tls', label: 'SSL/TLS' },
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'none', label: 'None (unencrypted)' },
];

export const AUTH_CHOICES: { value: AuthMethod; label: string }[] = [
  { value: 'auto', label: 'Autodetect' },
  { value: 'user', label: 'Normal password (USER/PASS)' },
  { value: 'plain', label: 'Normal password (SASL PLAIN)' },
  { value: 'login', label: 'Normal password (SASL LOGIN)' },
  { value: 'cram-md5', label: 'Encrypted password (CRAM-MD5)' },
  { value: 'apop', label: 'Encrypted password (APOP)' },
  { value: 'xoauth2', label: 'OAuth2 (access token as the password)' },
  { value: 'oauthbearer', label: 'OAuth2 bearer (access token as the password)' },
];

/** For an account signed in at its provider: the two ways POP3 takes the provider's token. */
export const OAUTH_AUTH_CHOICES: { value: AuthMethod; label: string }[] = [
  { value: 'xoauth2', label: 'OAuth2 sign-in (XOAUTH2)' },
  { value: 'oauthbearer', label: 'OAuth2 sign-in (OAUTHBEARER, RFC 7628)' },
];

export const isOAuthMethod = (auth: AuthMethod) => auth === 'xoauth2' || auth === 'oauthbearer';

/** The login methods to choose from: the token ones for an account signed in at a provider. */
export const authChoices = (signedIn: boolean) => (signedIn ? OAUTH_AUTH_CHOICES : AUTH_CHOICES);

/** A new account's form; `defaults` are this Popgate's (the admin's retention and minimum interval). */
export function emptyForm(defaults?: AccountPolicy): AccountForm {
  const form: AccountForm = {
    label: '',
    host: '',
    port: 995,
    security: 'tls',
    username: '',
    password: '',
    auth: 'auto',
    leaveOnServer: true,
    deleteAfter: false,
    deleteAfterDays: 14,
    deleteWhenDeletedHere: false,
    pollMinutes: 5,
    headersOnly: false,
    headersOnlyKb: 5000,
    caPem: '',
    pinSha256: '',
  };
  return defaults ? { ...form, ...policyFields(defaults) } : form;
}

/** The form's policy fields for an account policy of the API. */
function policyFields(policy: AccountPolicy) {
  return {
    leaveOnServer: policy.leaveOnServer,
    deleteAfter: policy.deleteAfterDays !== null,
    deleteAfterDays: policy.deleteAfterDays ?? 14,
    deleteWhenDeletedHere: policy.deleteWhenDeletedHere,
    pollMinutes: Math.max(1, Math.round(policy.pollSeconds / 60)),
    headersOnly: policy.maxFullDownloadBytes !== null,
    headersOnlyKb:
      policy.maxFullDownloadBytes !== null ? Math.round(policy.maxFullDownloadBytes / 1024) : 5000,
  };
}

export function formFromAccount(account: AccountOut): AccountForm {
  return {
    label: account.label,
    host: account.host,
    port: account.port,
    security: account.security,
    username: account.username,
    password: '',
    auth: account.auth,
    ...policyFields(account.policy),
    caPem: account.tls.caPem ?? '',
    pinSha256: account.tls.pinSha256 ?? '',
  };
}

/** Colon-separated upper-case hex, as the server writes fingerprints; null if it is not one. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (hex.length !== 64) return null;
  return hex.match(/../g)!.join(':');
}

function policyOf(form: AccountForm) {
  return {
    leaveOnServer: form.leaveOnServer,
    deleteAfterDays: form.leaveOnServer && form.deleteAfter ? form.deleteAfterDays : null,
    deleteWhenDeletedHere: form.leaveOnServer && form.deleteWhenDeletedHere,
    pollSeconds: Math.round(form.pollMinutes * 60),
    maxFullDownloadBytes: form.headersOnly ? Math.round(form.headersOnlyKb * 1024) : null,
  };
}

function tlsOf(form: AccountForm) {
  return {
    caPem: form.caPem.trim() || null,
    pinSha256: normalizeFingerprint(form.pinSha256),
  };
}

export function toAccountIn(form: AccountForm): AccountIn {
  return {
    label: form.label.trim() || form.username.trim(),
    host: form.host.trim(),
    port: form.port,
    security: form.security,
    username: form.username.trim(),
    password: form.password,
    auth: form.auth,
    policy: policyOf(form),
    tls: tlsOf(form),
  };
}

/** Only what changed; the password only when a new one was typed. */
export function toPatch(form: AccountForm, original: AccountOut): AccountPatch {
  const before = formFromAccount(original);
  const patch: AccountPatch = {};
  const label = form.label.trim() || form.username.trim();
  if (label !== before.label) patch.label = label;
  if (form.host.trim() !== before.host) patch.host = form.host.trim();
  if (form.port !== before.port) patch.port = form.port;
  if (form.security !== before.security) patch.security = form.security;
  if (form.username.trim() !== before.username) patch.username = form.username.trim();
  if (form.password) patch.password = form.password;
  if (form.auth !== before.auth) patch.auth = form.auth;
  const policy = policyOf(form);
  const oldPolicy = original.policy;
  const changedPolicy = Object.fromEntries(
    Object.entries(policy).filter(
      ([key, value]) => oldPolicy[key as keyof typeof oldPolicy] !== value,
    ),
  );
  if (Object.keys(changedPolicy).length) patch.policy = changedPolicy;
  const tls = tlsOf(form);
  if (
    tls.caPem !== (original.tls.caPem ?? null) ||
    tls.pinSha256 !== (original.tls.pinSha256 ?? null)
  ) {
    patch.tls = tls;
  }
  return patch;
}

/** What "Test connection" sends: the typed password, or the saved one of a linked account. */
export function toTestIn(form: AccountForm, accountId?: string): AccountTestIn {
  const test: AccountTestIn = {
    host: form.host.trim(),
    port: form.port,
    security: form.security,
    username: form.username.trim(),
    auth: form.auth,
    tls: tlsOf(form),
  };
  if (form.password) test.password = form.password;
  else if (accountId) test.accountId = accountId;
  return test;
}

/** Identifies the connection settings a test result belongs to. */
export function connectionSignature(form: AccountForm): string {
  return JSON.stringify([
    form.host.trim().toLowerCase(),
    form.port,
    form.security,
    form.username.trim(),
    form.password,
    form.auth,
    form.caPem.trim(),
    normalizeFingerprint(form.pinSha256),
  ]);
}

/** A host as the server stores it: lower case, without IPv6 brackets or a trailing dot. */
const hostKey = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

const pinKey = (pin: string | null) => (pin ?? '').replace(/[^0-9a-f]/gi, '').toLowerCase();

/**
 * The settings of a linked account the form changes that would send its saved password
 * elsewhere: the server, port, connection security, user name, or a certificate it did not trust.
 * The server only takes such a change (or tests it) with the password typed again.
 */
export function passwordNeededFor(form: AccountForm, original: AccountOut): string[] {
  const changes: string[] = [];
  if (hostKey(form.host) !== original.host) changes.push('server');
  if (form.port !== original.port) changes.push('port');
  if (form.security !== original.security) changes.push('connection security');
  if (form.username.trim() !== original.username) changes.push('user name');
  const caPem = form.caPem.trim();
  const pin = pinKey(form.pinSha256);
  if (
    (caPem && caPem !== (original.tls.caPem ?? '').trim()) ||
    (pin && pin !== pinKey(original.tls.pinSha256))
  ) {
    changes.push('trusted certificate');
  }
  return changes;
}

const listed = (names: string[]) =>
  names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/** Why the password must be typed again, or '' when the saved one may be used. */
export function passwordNeededReason(form: AccountForm, original: AccountOut | null): string {
  if (!original) return '';
  const changes = passwordNeededFor(form, original);
  if (changes.length === 0) return '';
  return `Enter the password again: Popgate sends the saved password only to the server it was saved for, and you changed the ${listed(changes)}.`;
}

export type FormErrors = Partial<Record<keyof AccountForm, string>>;

/**
 * `original`: the linked account being edited (null or left out for a new one). `signIn`: the
 * account signs in at its provider (OAuth2), so no password is asked for.
 */
export function validateForm(
  form: AccountForm,
  isNew: boolean,
  original: AccountOut | null = null,
  options: { signIn?: boolean } = {},
): FormErrors {
  const errors: FormErrors = {};
  const host = form.host.trim();
  if (!host) errors.host = 'Enter the POP3 server’s name, such as pop.example.com.';
  else if (/[\s/@]/.test(host)) errors.host = 'A server name has no spaces, slashes or @.';
  if (!Number.isInteger(form.port) || form.port < 1 || form.port > 65_535) {
    errors.port = 'A port is a number from 1 to 65535.';
  }
  if (!form.username.trim()) errors.username = 'Enter the user name (often your email address).';
  if (options.signIn) {
    // The provider's sign-in stands for the password.
  } else if (isNew && !form.password) errors.password = 'Enter the password.';
  else if (original?.oauth && !isOAuthMethod(form.auth) && !form.password) {
    errors.password =
      'Enter the password (or an app password): this account signed in at its provider until now.';
  } else if (!isNew && !form.password) {
    const reason = passwordNeededReason(form, original);
    if (reason) errors.password = reason;
  }
  if (form.leaveOnServer && form.deleteAfter) {
    if (
      !Number.isInteger(form.deleteAfterDays) ||
      form.deleteAfterDays < 1 ||
      form.deleteAfterDays > 3650
    ) {
      errors.deleteAfterDays = 'From 1 to 3650 days.';
    }
  }
  if (!(form.pollMinutes >= 1 && form.pollMinutes <= 1440)) {
    errors.pollMinutes = 'From 1 to 1440 minutes.';
  }
  if (form.headersOnly && !(form.headersOnlyKb >= 1)) {
    errors.headersOnlyKb = 'At least 1 KB.';
  }
  if (form.pinSha256.trim() && !normalizeFingerprint(form.pinSha256)) {
    errors.pinSha256 = 'A SHA-256 fingerprint is 64 hexadecimal digits (colons optional).';
  }
  if (form.caPem.trim() && !form.caPem.includes('-----BEGIN CERTIFICATE-----')) {
    errors.caPem = 'Paste the certificate in PEM form, from -----BEGIN CERTIFICATE----- on.';
  }
  return errors;
}
