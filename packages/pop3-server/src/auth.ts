import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerUser } from './options';

/** One turn of a SASL exchange: send a challenge and wait, or finish. */
export type SaslStep =
  | { kind: 'challenge'; base64: string }
  | { kind: 'success'; username: string }
  | { kind: 'failure'; username?: string };

export interface SaslExchange {
  /** `initial` is the decoded initial response of "AUTH mech ir" ("=" means empty). */
  start(initial: Buffer | undefined): SaslStep;
  respond(response: Buffer): SaslStep;
}

export class UserDirectory {
  private readonly byName = new Map<string, ServerUser>();

  constructor(users: ServerUser[]) {
    for (const user of users) this.byName.set(user.username, user);
  }

  get(username: string): ServerUser | undefined {
    return this.byName.get(username);
  }

  checkPassword(username: string, password: string): boolean {
    const user = this.byName.get(username);
    return user !== undefined && sameText(user.password, password);
  }

  checkToken(username: string, token: string): boolean {
    const user = this.byName.get(username);
    return user?.accessToken !== undefined && sameText(user.accessToken, token);
  }
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 4648 base64 as SASL uses it; undefined when the text is not valid base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const challenge = (base64: string): SaslStep => ({ kind: 'challenge', base64 });

/** A fresh "<unique@host>" string: the APOP greeting timestamp and CRAM-MD5 challenge form. */
export function uniqueTimestamp(): string {
  return `<${process.pid}.${randomBytes(6).toString('hex')}.${Date.now()}@popgate.test>`;
}

export function apopDigest(timestamp: string, password: string): string {
  return createHash('md5')
    .update(timestamp + password, 'utf8')
    .digest('hex');
}

function plain(users: UserDirectory): SaslExchange {
  const finish = (response: Buffer): SaslStep => {
    const [authzid, authcid, password, ...rest] = response.toString('utf8').split('\0');
    if (authcid === undefined || password === undefined || rest.length > 0) {
      return { kind: 'failure' };
    }
    if (authzid !== '' && authzid !== authcid) return { kind: 'failure', username: authcid };
    return users.checkPassword(authcid, password)
      ? { kind: 'success', username: authcid }
      : { kind: 'failure', username: authcid };
  };
  return {
    start: (initial) => (initial === undefined ? challenge('') : finish(initial)),
    respond: finish,
  };
}

function login(users: UserDirectory): SaslExchange {
  let username: string | undefined;
  return {
    start(initial) {
      if (initial === undefined) return challenge(b64('Username:'));
      username = initial.toString('utf8');
      return challenge(b64('Password:'));
    },
    respond(response) {
      if (username === undefined) {
        username = response.toString('utf8');
        return challenge(b64('Password:'));
      }
      return users.checkPassword(username, response.toString('utf8'))
        ? { kind: 'success', username }
        : { kind: 'failure', username };
    },
  };
}

function cramMd5(users: UserDirectory): SaslExchange {
  const sent = uniqueTimestamp();
  return {
    // CRAM-MD5 is server-first: an initial response is a protocol error.
    start: (initial) => (initial === undefined ? challenge(b64(sent)) : { kind: 'failure' }),
    respond(response) {
      const text = response.toString('utf8');
      const space = text.lastIndexOf(' ');
      const username = text.slice(0, space);
      const user = users.get(username);
      if (space <= 0 || !user) return { kind: 'failure' };
      const expected = createHmac('md5', user.password).update(sent).digest('hex');
      return sameText(expected, text.slice(space + 1).toLowerCase())
        ? { kind: 'success', username }
        : { kind: 'failure', username };
    },
  };
}

/** XOAUTH2 and OAUTHBEARER: on a bad token, a JSON error challenge, then failure. */
function bearer(
  users: UserDirectory,
  parse: (response: string) => { username?: string; token?: string },
  errorJson: string,
): SaslExchange {
  let failed: { username?: string } | undefined;
  const check = (response: Buffer): SaslStep => {
    if (failed) return { kind: 'failure', ...failed };
    const { username, token } = parse(response.toString('utf8'));
    if (username !== undefined && token !== undefined && users.checkToken(username, token)) {
      return { kind: 'success', username };
    }
    failed = username === undefined ? {} : { username };
    return challenge(b64(errorJson));
  };
  return {
    start: (initial) => (initial === undefined ? challenge('') : check(initial)),
    respond: check,
  };
}

function parseXoauth2(text: string): { username?: string; token?: string } {
  const fields = text.split('\x01');
  const username = fields.find((f) => f.startsWith('user='))?.slice(5);
  const auth = fields.find((f) => f.startsWith('auth='))?.slice(5);
  const token = auth?.match(/^Bearer (.+)$/i)?.[1];
  return { username, token };
}

function parseOauthBearer(text: string): { username?: string; token?: string } {
  const [gs2, ...fields] = text.split('\x01');
  const username = gs2
    ?.split(',')
    .find((part) => part.startsWith('a='))
    ?.slice(2)
    .replaceAll('=2C', ',')
    .replaceAll('=3D', '=');
  const auth = fields.find((f) => f.startsWith('auth='))?.slice(5);
  const token = auth?.match(/^Bearer (.+)$/i)?.[1];
  return { username, token };
}

export const SUPPORTED_SASL = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER'] as const;

export function createSaslExchange(
  mechanism: string,
  users: UserDirectory,
): SaslExchange | undefined {
  switch (mechanism) {
    case 'PLAIN':
      return plain(users);
    case 'LOGIN':
      return login(users);
    case 'CRAM-MD5':
      return cramMd5(users);
    case 'XOAUTH2':
      return bearer(
        users,
        parseXoauth2,
        '{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}',
      );
    case 'OAUTHBEARER':
      return bearer(users, parseOauthBearer, '{"status":"invalid_token","scope":"mail"}');
    default:
      return undefined;
  }
}
