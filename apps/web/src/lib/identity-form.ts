import type {
  AccountOut,
  IdentityDefaults,
  IdentityIn,
  IdentityOut,
  IdentityPatch,
  IdentityTestError,
  IdentityTestIn,
  Security,
  SmtpAuthMethod,
  SmtpServerInfo,
} from '@popgate/contracts';
import { normalizeFingerprint } from './account-form';
import { isValidAddress } from './addresses';
import type { InfoRow } from './server-info';

/** The "Sending (SMTP)" section of an account, as the user fills it in. */
export interface IdentityForm {
  name: string;
  address: string;
  replyTo: string;
  signatureFormat: 'text' | 'html';
  signatureText: string;
  signatureHtml: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  /** "account": the POP3 password (the default); "own": a password for sending only. */
  passwordMode: 'account' | 'own';
  password: string;
  auth: SmtpAuthMethod;
  /** A certificate the user chose to trust (its SHA-256 fingerprint), '' for the usual checks. */
  pinSha256: string;
}

export type IdentityFormErrors = Partial<Record<keyof IdentityForm, string>>;

/** Submission on 587 (STARTTLS), implicit TLS on 465, plain SMTP on 25 (when the admin allows). */
export const SMTP_PORTS: Record<Security, number> = { tls: 465, starttls: 587, none: 25 };

export const SMTP_SECURITY_CHOICES: { value: Security; label: string }[] = [
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'tls', label: 'SSL/TLS' },
  { value: 'none', label: 'None (unencrypted)' },
];

export const SMTP_AUTH_CHOICES: { value: SmtpAuthMethod; label: string }[] = [
  { value: 'auto', label: 'Autodetect' },
  { value: 'plain', label: 'Normal password (PLAIN)' },
  { value: 'login', label: 'Normal password (LOGIN)' },
  { value: 'cram-md5', label: 'Encrypted password (CRAM-MD5)' },
  { value: 'xoauth2', label: 'OAuth2 (access token as the password)' },
];

const domainOf = (address: string) => /@([^@\s]+)$/.exec(address.trim())?.[1] ?? '';

/** A new identity for an account: the server's proposal, else smtp.<domain> / 587 / STARTTLS. */
export function newIdentityForm(
  account: AccountOut,
  defaults?: IdentityDefaults | null,
): IdentityForm {
  const address = defaults?.address || (isValidAddress(account.username) ? account.username : '');
  const domain = domainOf(address) || account.host.replace(/^(pop3?|mail)\./i, '');
  const security = defaults?.smtp?.security ?? 'starttls';
  return {
    name: defaults?.name ?? '',
    address,
    replyTo: '',
    signatureFormat: 'text',
    signatureText: '',
    signatureHtml: '',
    host: defaults?.smtp?.host || (domain ? `smtp.${domain}` : ''),
    port: defaults?.smtp?.port ?? SMTP_PORTS[security],
    security,
    username: defaults?.smtp?.username || account.username,
    passwordMode: 'account',
    password: '',
    auth: 'auto',
    pinSha256: '',
  };
}

export function formFromIdentity(identity: IdentityOut): IdentityForm {
  return {
    name: identity.name,
    address: identity.address,
    replyTo: identity.replyTo?.address ?? '',
    signatureFormat: identity.signature.format,
    signatureText: identity.signature.format === 'text' ? identity.signature.content : '',
    signatureHtml: identity.signature.format === 'html' ? identity.signature.content : '',
    host: identity.smtp.host,
    port: identity.smtp.port,
    security: identity.smtp.security,
    username: identity.smtp.username,
    passwordMode: identity.smtp.passwordSource,
    password: '',
    auth: identity.smtp.auth,
    pinSha256: identity.smtp.tls.pinSha256 ?? '',
  };
}

const hostKey = (host: string) => host.trim().toLowerCase().replace(/\.$/, '');
const pinOf = (pin: string | null | undefined) => (pin ? normalizeFingerprint(pin) : null);
/** The trusted certificate, as the API takes it; nothing when none was chosen. */
const tlsOf = (form: IdentityForm) => {
  const pinSha256 = pinOf(form.pinSha256);
  return pinSha256 ? { tls: { pinSha256 } } : {};
};

/** The connection settings changed from the saved ones (a stored password would go elsewhere). */
export function connectionChanged(form: IdentityForm, original: IdentityOut): boolean {
  return (
    hostKey(form.host) !== hostKey(original.smtp.host) ||
    form.port !== original.smtp.port ||
    form.security !== original.smtp.security ||
    form.username.trim() !== original.smtp.username ||
    pinOf(form.pinSha256) !== pinOf(original.smtp.tls.pinSha256)
  );
}

const hasLineBreak = (text: string) => /[\r\n]/.test(text);

export function validateIdentityForm(
  form: IdentityForm,
  original: IdentityOut | null,
): IdentityFormErrors {
  const errors: IdentityFormErrors = {};
  if (hasLineBreak(form.name)) errors.name = 'A name is one line.';
  else if (form.name.length > 200) errors.name = 'At most 200 characters.';
  const address = form.address.trim();
  if (!address) errors.address = 'Enter the address you send from.';
  else if (!isValidAddress(address)) errors.address = `“${address}” is not an email address.`;
  const replyTo = form.replyTo.trim();
  if (replyTo && !isValidAddress(replyTo)) {
    errors.replyTo = `“${replyTo}” is not an email address.`;
  }
  const signature = form.signatureFormat === 'html' ? form.signatureHtml : form.signatureText;
  if (signature.length > 20_000)
    errors.signatureText = 'A signature has at most 20,000 characters.';
  const host = form.host.trim();
  if (!host) errors.host = 'Enter the SMTP server’s name, such as smtp.example.com.';
  else if (/[\s/@]/.test(host)) errors.host = 'A server name has no spaces, slashes or @.';
  if (!Number.isInteger(form.port) || form.port < 1 || form.port > 65_535) {
    errors.port = 'A port is a number from 1 to 65535.';
  }
  if (!form.username.trim()) errors.username = 'Enter the user name (often your email address).';
  if (form.passwordMode === 'own' && !form.password) {
    if (!original || original.smtp.passwordSource !== 'own') {
      errors.password = 'Enter the password for sending.';
    } else if (connectionChanged(form, original)) {
      errors.password =
        'Enter the password again: Popgate sends a saved password only to the server it was saved for.';
    }
  }
  return errors;
}

function signatureOf(form: IdentityForm) {
  return form.signatureFormat === 'html'
    ? { format: 'html' as const, content: form.signatureHtml }
    : { format: 'text' as const, content: form.signatureText };
}

const replyToOf = (form: IdentityForm) =>
  form.replyTo.trim() ? { name: form.name.trim(), address: form.replyTo.trim() } : null;

export function toIdentityIn(form: IdentityForm, accountId: string): IdentityIn {
  return {
    accountId,
    name: form.name.trim(),
    address: form.address.trim(),
    replyTo: replyToOf(form),
    signature: signatureOf(form),
    smtp: {
      host: form.host.trim(),
      port: form.port,
      security: form.security,
      username: form.username.trim(),
      auth: form.auth,
      ...tlsOf(form),
      ...(form.passwordMode === 'own' && form.password ? { password: form.password } : {}),
    },
  };
}

/** Only what changed; the password (or going back to the account's) as the server needs it. */
export function toIdentityPatch(form: IdentityForm, original: IdentityOut): IdentityPatch {
  const patch: IdentityPatch = {};
  const before = formFromIdentity(original);
  if (form.name.trim() !== before.name) patch.name = form.name.trim();
  if (form.address.trim() !== before.address) patch.address = form.address.trim();
  if (form.replyTo.trim() !== before.replyTo) patch.replyTo = replyToOf(form);
  const signature = signatureOf(form);
  if (
    signature.format !== original.signature.format ||
    signature.content !== original.signature.content
  ) {
    patch.signature = signature;
  }
  const smtp: NonNullable<IdentityPatch['smtp']> = {};
  if (hostKey(form.host) !== hostKey(before.host)) smtp.host = form.host.trim();
  if (form.port !== before.port) smtp.port = form.port;
  if (form.security !== before.security) smtp.security = form.security;
  if (form.username.trim() !== before.username) smtp.username = form.username.trim();
  if (form.auth !== before.auth) smtp.auth = form.auth;
  if (pinOf(form.pinSha256) !== pinOf(before.pinSha256)) {
    smtp.tls = { pinSha256: pinOf(form.pinSha256) };
  }
  if (form.passwordMode === 'own' && form.password) smtp.password = form.password;
  else if (
    form.passwordMode === 'account' &&
    (original.smtp.passwordSource === 'own' || connectionChanged(form, original))
  ) {
    smtp.useAccountPassword = true;
  }
  if (Object.keys(smtp).length) patch.smtp = smtp;
  return patch;
}

/** "Test sending server": the typed password, else the saved identity's, else the account's. */
export function toIdentityTestIn(
  form: IdentityForm,
  ids: { accountId: string; identity: IdentityOut | null },
): IdentityTestIn {
  const test: IdentityTestIn = {
    host: form.host.trim(),
    port: form.port,
    security: form.security,
    username: form.username.trim(),
    auth: form.auth,
    ...tlsOf(form),
  };
  if (form.passwordMode === 'own' && form.password) test.password = form.password;
  else if (form.passwordMode === 'own' && ids.identity) test.identityId = ids.identity.id;
  else test.accountId = ids.accountId;
  return test;
}

/** A failed SMTP test, explained like the POP3 one: what happened and what to fix. */
export interface SmtpTestExplanation {
  title: string;
  detail: string;
  field?: 'host' | 'port' | 'security' | 'username' | 'password' | 'auth';
  fingerprint?: string;
}

export function explainSmtpTestError(
  error: IdentityTestError,
  settings: { host: string; port: number },
): SmtpTestExplanation {
  const where = `${settings.host}:${settings.port}`;
  const said = error.message ? ` (${error.message})` : '';
  switch (error.code) {
    case 'DNS':
      return {
        title: `The server name “${settings.host}” was not found.`,
        detail: 'Check its spelling: your provider lists it as the SMTP or outgoing server.',
        field: 'host',
      };
    case 'REFUSED':
      return {
        title: `Nothing answered at ${where}.`,
        detail: 'Check the port: sending uses 587 with STARTTLS or 465 with SSL/TLS.',
        field: 'port',
      };
    case 'TIMEOUT':
      return {
        title: `${where} did not answer in time.`,
        detail:
          'Check the server name and port. A firewall may be dropping the connection, or the server is busy: try again in a minute.',
        field: 'port',
      };
    case 'TLS_UNTRUSTED':
      return {
        title: 'The sending server’s certificate is not trusted.',
        detail: error.fingerprint256
          ? 'It is not signed by an authority Popgate knows (often a self-signed certificate). If your provider or administrator confirms the fingerprint below, trust this certificate and Popgate will accept exactly this one.'
          : `It is not signed by an authority Popgate knows${said}. Ask your provider or administrator for the right server name.`,
        fingerprint: error.fingerprint256,
      };
    case 'TLS_FAILED':
      return {
        title: 'A secure connection could not be set up.',
        detail: `${error.message || 'The TLS handshake failed.'} Try the other kind of security: STARTTLS on port 587, or SSL/TLS on port 465.`,
        field: 'security',
      };
    case 'STLS_UNAVAILABLE':
      return {
        title: 'This server does not offer STARTTLS.',
        detail: 'Choose SSL/TLS (usually port 465).',
        field: 'security',
      };
    case 'AUTH_FAILED':
      return {
        title: 'The sending server rejected the user name or password.',
        detail: `Check both here${said}. Some providers need an app password, or a password for sending that differs from the one for receiving.`,
        field: 'password',
      };
    case 'AUTH_UNAVAILABLE':
      return {
        title: 'The server offers no sign-in method Popgate can use here.',
        detail:
          `${error.message || ''} Choose another authentication method, or turn on encryption: many servers offer sign-in only after STARTTLS.`.trim(),
        field: 'auth',
      };
    case 'PROTOCOL':
      return {
        title: `The server at ${where} did not speak SMTP as expected.`,
        detail:
          `${error.message || ''} Check the port and the security setting: this may be another service.`.trim(),
        field: 'port',
      };
    case 'BLOCKED_HOST':
      return {
        title: `Popgate may not connect to ${settings.host}.`,
        detail: error.message
          ? error.message.replace(/\.?$/, '.')
          : 'Its administrator does not allow this server or port for sending.',
        field: 'host',
      };
    default:
      return { title: 'The sending server test failed.', detail: error.message };
  }
}

/** What the SMTP server said about itself, as label/value rows. */
export function describeSmtpServerInfo(info: SmtpServerInfo): InfoRow[] {
  const rows: InfoRow[] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value) rows.push({ label, value });
  };
  add('Greeting', info.greeting);
  add('Address', `${info.host}:${info.port}${info.address ? ` (${info.address})` : ''}`);
  if (info.tls) {
    add('Encryption', [info.tls.protocol, info.tls.cipher].filter(Boolean).join(', '));
    add('Certificate fingerprint (SHA-256)', info.tls.fingerprint256);
  } else {
    add('Encryption', 'none');
  }
  add('Signed in with', info.authenticatedWith);
  add('Sign-in methods offered', info.authMechanisms.join(', '));
  if (info.maxMessageBytes) {
    add('Largest message', `${Math.round(info.maxMessageBytes / 1024 / 1024)} MB`);
  }
  add('Pipelining', info.pipelining ? 'yes' : 'no');
  return rows;
}
