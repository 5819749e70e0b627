import type { DovecotIdentities } from './system-accounts';

export const DEFAULT_AUTH_MECHANISMS = [
  'plain',
  'login',
  'cram-md5',
  'digest-md5',
  'scram-sha-1',
  'scram-sha-256',
  'apop',
  'xoauth2',
  'oauthbearer',
];

const TOKEN_MECHANISMS = ['xoauth2', 'oauthbearer'];

/** Bearer tokens checked by Dovecot's oauth2 passdb against an introspection endpoint. */
export interface DovecotOAuth2 {
  /** RFC 7662 endpoint, with the resource server's client credentials as userinfo. */
  introspectionUrl: string;
  /** The introspection member that must equal the POP3 user name. Default `username`. */
  usernameAttribute?: string;
}

export interface DovecotConfigInput {
  instanceName: string;
  baseDir: string;
  stateDir: string;
  logPath: string;
  certPath: string;
  keyPath: string;
  passwordsPath: string;
  tokensPath: string;
  /** Where the oauth2 passdb's settings file is written when `oauth2` is given. */
  oauth2Path: string;
  oauth2?: DovecotOAuth2;
  mailRoot: string;
  /** Socket name under base_dir where an SMTP server (Postfix) asks Dovecot to check logins. */
  authSocketName: string;
  plainPort: number;
  tlsPort: number;
  authMechanisms: string[];
  lockSession: boolean;
  identities: DovecotIdentities;
  extraConfig?: string;
}

/** A complete dovecot.conf: nothing is read from /etc/dovecot. */
export function renderDovecotConfig(input: DovecotConfigInput): string {
  const mechanisms = input.authMechanisms.map((m) => m.toLowerCase());
  // USER/PASS travels as PLAIN inside Dovecot, so the password passdb always accepts PLAIN.
  const passwordMechanisms = [
    ...new Set(['plain', ...mechanisms.filter((m) => !TOKEN_MECHANISMS.includes(m))]),
  ];
  const tokenMechanisms = mechanisms.filter((m) => TOKEN_MECHANISMS.includes(m));
  const { identities } = input;
  // Without root nothing can chroot; as root Dovecot's defaults chroot these services.
  const noChroot = identities.runsAsRoot
    ? ''
    : ['anvil', 'ipc', 'old-stats', 'pop3-login']
        .map((service) => `service ${service} {\n  chroot =\n}\n`)
        .join('');

  return `# Generated for one private test instance; every path lives in its own temp folder.
instance_name = ${input.instanceName}
base_dir = ${input.baseDir}
state_dir = ${input.stateDir}
log_path = ${input.logPath}
protocols = pop3
listen = 127.0.0.1
shutdown_clients = yes

default_login_user = ${identities.loginUser}
default_internal_user = ${identities.internalUser}
default_internal_group = ${identities.internalGroup}
first_valid_uid = ${identities.mail.uid}
first_valid_gid = ${identities.mail.gid}
mail_uid = ${identities.mail.uid}
mail_gid = ${identities.mail.gid}
mail_location = maildir:${input.mailRoot}/%u
mail_fsync = never
mail_max_userip_connections = 1000

ssl = yes
ssl_cert = <${input.certPath}
ssl_key = <${input.keyPath}

# USER/PASS and SASL PLAIN are also accepted before STLS, as on a permissive real server.
disable_plaintext_auth = no
auth_mechanisms = ${mechanisms.join(' ')}
auth_username_format = %u
auth_verbose = yes
# Tests try wrong passwords on purpose: answer them promptly.
auth_failure_delay = 0

# The UIDL is the maildir base name, which deliver() returns.
pop3_uidl_format = %f
# yes: a second session for a locked mailbox waits ~10 s, then gets -ERR [IN-USE].
pop3_lock_session = ${input.lockSession ? 'yes' : 'no'}

${
  tokenMechanisms.length > 0 && input.oauth2
    ? `# Bearer tokens are asked about at the OAuth2 provider's introspection endpoint.
passdb {
  driver = oauth2
  args = ${input.oauth2Path}
  mechanisms = ${tokenMechanisms.join(' ')}
}
`
    : tokenMechanisms.length > 0
      ? `# Bearer tokens are checked like passwords against their own file, so XOAUTH2 and
# OAUTHBEARER work without an OAuth2 introspection server.
passdb {
  driver = passwd-file
  args = ${input.tokensPath}
  mechanisms = ${tokenMechanisms.join(' ')}
}
`
      : ''
}passdb {
  driver = passwd-file
  args = ${input.passwordsPath}
  mechanisms = ${passwordMechanisms.join(' ')}
}
userdb {
  driver = static
  args = uid=${identities.mail.uid} gid=${identities.mail.gid} home=${input.mailRoot}/%u
}

service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${input.plainPort}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${input.tlsPort}
    ssl = yes
  }
}

# Postfix's smtpd (user postfix) checks SMTP AUTH here: smtpd_sasl_type = dovecot.
service auth {
  unix_listener ${input.authSocketName} {
    mode = 0666
  }
}

# No auth penalty: it would slow every login from 127.0.0.1 after one failure. Renaming the
# listener makes the auth process find no socket and switch the penalty off silently.
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-disabled
  }
}
${noChroot}
${input.extraConfig ?? ''}
`;
}

/** The oauth2 passdb's own settings file (`args = <file>`). */
export function renderOAuth2Settings(oauth2: DovecotOAuth2): string {
  return `# Each login POSTs token=<bearer> to the introspection endpoint (client credentials from
# the URL's userinfo as HTTP Basic) and accepts only an active token naming this user.
introspection_mode = post
introspection_url = ${oauth2.introspectionUrl}
force_introspection = yes
username_attribute = ${oauth2.usernameAttribute ?? 'username'}
active_attribute = active
active_value = true
timeout_msecs = 5000
`;
}
