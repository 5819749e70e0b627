import type { PostfixIdentities } from './system-accounts';

export interface PostfixConfigInput {
  configDir: string;
  queueDir: string;
  dataDir: string;
  logPath: string;
  certPath: string;
  keyPath: string;
  mailboxMapPath: string;
  /** Dovecot's auth socket (absolute: smtpd does not chroot here). */
  saslSocketPath: string;
  /** virtual_mailbox_domains: mail to these is delivered into Dovecot's maildirs. */
  domains: string[];
  /** The account Dovecot reads mail as; virtual(8) writes the files as this uid/gid. */
  mailOwner: { uid: number; gid: number };
  identities: PostfixIdentities;
  submissionPort: number;
  smtpsPort: number;
  plainPort?: number;
  messageSizeLimit: number;
  extraMainCf?: string;
}

/** A complete main.cf: nothing is read from /etc/postfix. */
export function renderMainCf(input: PostfixConfigInput): string {
  return `# Generated for one private test instance; every path lives in its own temp folder.
compatibility_level = 3.6
config_directory = ${input.configDir}
queue_directory = ${input.queueDir}
data_directory = ${input.dataDir}
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
command_directory = /usr/sbin
meta_directory = /etc/postfix
mail_owner = ${input.identities.owner.name}
setgid_group = ${input.identities.setgidGroup.name}

# No syslog here: the postlog service writes this file.
maillog_file = ${input.logPath}
maillog_file_prefixes = ${input.logPath}

# Loopback only, no DNS, and no local(8) delivery: mydestination is empty.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = localhost
mydomain = localdomain
myorigin = $myhostname
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
disable_dns_lookups = yes
smtp_dns_support_level = disabled
append_dot_mydomain = no
biff = no
alias_maps =
alias_database =
local_recipient_maps =

# Every recipient is delivered by virtual(8): the domains' users into Dovecot's maildirs
# (a trailing slash means maildir), any other address into the sink (the map says which).
virtual_mailbox_domains = ${input.domains.join(', ')}
virtual_mailbox_base = /
virtual_mailbox_maps = regexp:${input.mailboxMapPath}
virtual_minimum_uid = ${input.mailOwner.uid}
virtual_uid_maps = static:${input.mailOwner.uid}
virtual_gid_maps = static:${input.mailOwner.gid}
virtual_mailbox_limit = 0
message_size_limit = ${input.messageSizeLimit}
default_transport = virtual
relay_transport = virtual

# SMTP AUTH is checked by Dovecot against its own users.
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${input.saslSocketPath}
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = yes
# Other domains only for authenticated clients: "554 5.7.1 ... Relay access denied".
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination

smtpd_tls_chain_files = ${input.keyPath}, ${input.certPath}
smtpd_tls_security_level = may

# Tests send wrong things on purpose and wait for delivery: answer and deliver at once.
smtpd_error_sleep_time = 0
in_flow_delay = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0

${input.extraMainCf ?? ''}
`;
}

/** master.cf: the listeners on their own 127.0.0.1 ports and only the daemons needed. */
export function renderMasterCf(input: PostfixConfigInput): string {
  const mua = '-o smtpd_recipient_restrictions=permit_sasl_authenticated,reject';
  const plain =
    input.plainPort === undefined
      ? ''
      : `# No TLS at all, AUTH allowed in clear text: an admin's "plain allowed" server.
127.0.0.1:${input.plainPort} inet n - n - - smtpd
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
`;
  return `# service type private unpriv chroot wakeup maxproc command
# Submission: STARTTLS before anything else, then AUTH before any recipient.
127.0.0.1:${input.submissionPort} inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  ${mua}
# Implicit TLS (what port 465 does).
127.0.0.1:${input.smtpsPort} inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  ${mua}
${plain}cleanup   unix  n  -  n  -     0  cleanup
qmgr      unix  n  -  n  300   1  qmgr
tlsmgr    unix  -  -  n  1000? 1  tlsmgr
rewrite   unix  -  -  n  -     -  trivial-rewrite
bounce    unix  -  -  n  -     0  bounce
defer     unix  -  -  n  -     0  bounce
trace     unix  -  -  n  -     0  bounce
verify    unix  -  -  n  -     1  verify
flush     unix  n  -  n  1000? 0  flush
proxymap  unix  -  -  n  -     -  proxymap
showq     unix  n  -  n  -     -  showq
error     unix  -  -  n  -     -  error
retry     unix  -  -  n  -     -  error
discard   unix  -  -  n  -     -  discard
virtual   unix  -  n  n  -     -  virtual
anvil     unix  -  -  n  -     1  anvil
scache    unix  -  -  n  -     1  scache
postlog   unix-dgram n - n - 1 postlogd
`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** virtual_mailbox_base is /, so map values are absolute paths without their first slash. */
const relativeToRoot = (dir: string) => `${dir.replace(/^\/+/, '').replace(/\/*$/, '')}/`;

/**
 * The regexp table behind virtual_mailbox_maps: each known address to its user's maildir,
 * then every address outside the domains to the sink. An unknown user of a domain matches
 * nothing, so smtpd answers "550 5.1.1 ... User unknown in virtual mailbox table".
 */
export function renderMailboxMap(
  mailboxes: Array<{ address: string; maildir: string }>,
  domains: string[],
  sinkDir: string,
): string {
  const lines = mailboxes.map(
    ({ address, maildir }) => `/^${escapeRegExp(address)}$/ ${relativeToRoot(maildir)}`,
  );
  const local = domains.map(escapeRegExp).join('|');
  lines.push(`!/@(${local})$/ ${relativeToRoot(sinkDir)}`);
  return `${lines.join('\n')}\n`;
}
