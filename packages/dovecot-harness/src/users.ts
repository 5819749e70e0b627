export interface DovecotUser {
  username: string;
  password: string;
  /** Bearer token accepted by XOAUTH2 and OAUTHBEARER for this user (none: those fail). */
  accessToken?: string;
}

export const DEFAULT_USERS: DovecotUser[] = [
  { username: 'user', password: 'secret', accessToken: 'user-access-token' },
];

// Dovecot's default auth_username_chars; the name also becomes a directory name.
const USERNAME = /^[A-Za-z0-9.\-_@]+$/;

export function validateUsers(users: DovecotUser[]): void {
  const seen = new Set<string>();
  for (const user of users) {
    if (!USERNAME.test(user.username) || user.username === '.' || user.username === '..') {
      throw new Error(`unsupported Dovecot username ${JSON.stringify(user.username)}`);
    }
    if (seen.has(user.username)) throw new Error(`duplicate user ${user.username}`);
    seen.add(user.username);
  }
}

/**
 * passwd-file lines. Secrets are stored as {PLAIN.b64} so that any byte (':' or a newline
 * included) survives the colon-separated format, and so that mechanisms which need the
 * plaintext (CRAM-MD5, DIGEST-MD5, APOP, SCRAM) can work.
 */
export function renderPasswdFile(users: DovecotUser[], secret: 'password' | 'accessToken'): string {
  return users
    .filter((user) => user[secret] !== undefined)
    .map(
      (user) =>
        `${user.username}:{PLAIN.b64}${Buffer.from(user[secret] ?? '', 'utf8').toString('base64')}\n`,
    )
    .join('');
}
