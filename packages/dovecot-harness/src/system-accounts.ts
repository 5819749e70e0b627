import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

export interface SystemAccount {
  name: string;
  uid: number;
  gid: number;
}

/** Which system accounts Dovecot's processes run as. */
export interface DovecotIdentities {
  runsAsRoot: boolean;
  /** pop3-login processes (untrusted network input). */
  loginUser: string;
  /** auth, anvil and the other internal services. */
  internalUser: string;
  internalGroup: string;
  /** Owner of the maildirs and of the pop3 processes that read them. */
  mail: SystemAccount;
}

/** name:x:id:... lines of /etc/passwd or /etc/group, as [name, id, primary gid or id]. */
function readIdDatabase(path: string): Array<{ name: string; id: number; gid: number }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 4)
    .map((fields) => ({
      name: fields[0] ?? '',
      id: Number(fields[2]),
      gid: Number(path.endsWith('passwd') ? fields[3] : fields[2]),
    }));
}

function firstNamed<T extends { name: string }>(entries: T[], names: string[]): T | undefined {
  for (const name of names) {
    const found = entries.find((entry) => entry.name === name);
    if (found) return found;
  }
  return undefined;
}

/**
 * As root, Dovecot refuses to run mail or login processes as uid 0, so it needs unprivileged
 * system users: the Debian package creates `dovenull` and `dovecot`; mail is read as `mail`
 * (or `nobody`). Without root every process simply runs as the current user.
 */
export function chooseDovecotIdentities(): DovecotIdentities {
  const groups = readIdDatabase('/etc/group');
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    const me = userInfo();
    return {
      runsAsRoot: false,
      loginUser: me.username,
      internalUser: me.username,
      internalGroup: groups.find((group) => group.id === me.gid)?.name ?? me.username,
      mail: { name: me.username, uid: me.uid, gid: me.gid },
    };
  }
  const users = readIdDatabase('/etc/passwd');
  const mail = firstNamed(users, ['mail', 'nobody']);
  if (!mail) throw new Error('neither a "mail" nor a "nobody" system user exists');
  return {
    runsAsRoot: true,
    loginUser: firstNamed(users, ['dovenull', 'nobody'])?.name ?? mail.name,
    internalUser: firstNamed(users, ['dovecot', 'nobody'])?.name ?? mail.name,
    internalGroup: firstNamed(groups, ['dovecot', 'nogroup', 'nobody'])?.name ?? 'nogroup',
    mail: { name: mail.name, uid: mail.id, gid: mail.gid },
  };
}
