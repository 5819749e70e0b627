import type { Pop3Capabilities } from '../capabilities';
import { apop } from '../commands/apop';
import { auth } from '../commands/auth';
import { userPass } from '../commands/user-pass';
import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import type { Pop3Greeting } from '../greeting';
import type { Pop3AuthMechanism, Pop3AuthOptions } from '../options';
import { saslCramMd5 } from './sasl-cram-md5';
import { saslLogin } from './sasl-login';
import { saslOauthBearer } from './sasl-oauthbearer';
import { saslPlain } from './sasl-plain';
import { saslXoauth2 } from './sasl-xoauth2';

export type AuthMethodName =
  'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2' | 'OAUTHBEARER' | 'APOP' | 'USER';

interface AuthMethod {
  name: AuthMethodName;
  /** True when the secret (password or token) crosses the wire in a recoverable form. */
  exposesSecret: boolean;
  run(connection: Pop3Connection): Promise<void>;
}

export interface AuthenticationContext {
  connection: Pop3Connection;
  capabilities: Pop3Capabilities;
  greeting: Pop3Greeting;
  host: string;
  port: number;
}

const METHOD_BY_OPTION: Record<Exclude<Pop3AuthMechanism, 'auto'>, AuthMethodName> = {
  plain: 'PLAIN',
  login: 'LOGIN',
  'cram-md5': 'CRAM-MD5',
  xoauth2: 'XOAUTH2',
  oauthbearer: 'OAUTHBEARER',
  apop: 'APOP',
  user: 'USER',
};

/**
 * The order "auto" tries. With TLS every mechanism is protected by the channel, so the
 * ones that work with any server-side password storage come first (CRAM-MD5 and APOP
 * fail with [AUTH] on servers that only keep hashes, which would look like a wrong
 * password). Without TLS only the mechanisms that never reveal the password are safe.
 */
const TOKEN_ORDER: AuthMethodName[] = ['OAUTHBEARER', 'XOAUTH2'];
const PASSWORD_ORDER_SECURE: AuthMethodName[] = ['PLAIN', 'LOGIN', 'USER', 'CRAM-MD5', 'APOP'];
const PASSWORD_ORDER_CLEAR: AuthMethodName[] = ['CRAM-MD5', 'APOP', 'PLAIN', 'LOGIN', 'USER'];

function buildMethod(
  name: AuthMethodName,
  options: Pop3AuthOptions,
  context: AuthenticationContext,
): AuthMethod | null {
  const { username, password, accessToken, authorizationIdentity } = options;
  switch (name) {
    case 'PLAIN':
      return password === undefined
        ? null
        : {
            name,
            exposesSecret: true,
            run: (c) => auth(c, saslPlain(username, password, authorizationIdentity)),
          };
    case 'LOGIN':
      return password === undefined
        ? null
        : { name, exposesSecret: true, run: (c) => auth(c, saslLogin(username, password)) };
    case 'USER':
      return password === undefined
        ? null
        : {
            name,
            exposesSecret: true,
            run: (c) => userPass(c, username, password, context.capabilities.pipelining),
          };
    case 'CRAM-MD5':
      return password === undefined
        ? null
        : { name, exposesSecret: false, run: (c) => auth(c, saslCramMd5(username, password)) };
    case 'APOP': {
      const timestamp = context.greeting.apopTimestamp;
      return password === undefined || timestamp === null
        ? null
        : { name, exposesSecret: false, run: (c) => apop(c, timestamp, username, password) };
    }
    case 'XOAUTH2':
      return accessToken === undefined
        ? null
        : { name, exposesSecret: true, run: (c) => auth(c, saslXoauth2(username, accessToken)) };
    case 'OAUTHBEARER':
      return accessToken === undefined
        ? null
        : {
            name,
            exposesSecret: true,
            run: (c) =>
              auth(
                c,
                saslOauthBearer(
                  username,
                  accessToken,
                  context.host,
                  context.port,
                  authorizationIdentity,
                ),
              ),
          };
  }
}

/**
 * Whether the server says it supports `name`. Without CAPA only RFC 1939 logins are
 * known to exist (AUTH came with CAPA); an explicitly requested mechanism is tried anyway.
 */
function offered(name: AuthMethodName, context: AuthenticationContext, explicit: boolean): boolean {
  const { capabilities, greeting } = context;
  if (name === 'APOP') return greeting.apopTimestamp !== null;
  if (!capabilities.capaSupported) return name === 'USER' || explicit;
  if (name === 'USER') return capabilities.user;
  return capabilities.sasl.includes(name);
}

/** What makes "auto" give up instead of trying the next mechanism. */
function endsTheSearch(error: Pop3Error): boolean {
  if (error.connectionLost) return true;
  // Busy maildrop, login delay, server trouble: another mechanism would not help.
  if (error.code !== 'AUTH_FAILED') return true;
  // [AUTH] says the credentials are wrong; trying them again elsewhere only hammers the server.
  return error.responseCode !== undefined;
}

function describeOffer(context: AuthenticationContext): string {
  const names: string[] = [...context.capabilities.sasl];
  if (context.capabilities.user || !context.capabilities.capaSupported) names.push('USER');
  if (context.greeting.apopTimestamp) names.push('APOP');
  return names.length ? names.join(', ') : 'nothing';
}

/**
 * Logs in with the requested mechanism, or with "auto" the best one the server offers,
 * moving on only when a mechanism is refused without a reason (a plain -ERR may just mean
 * "not supported"). Returns the mechanism that worked.
 */
export async function authenticate(
  context: AuthenticationContext,
  options: Pop3AuthOptions,
): Promise<AuthMethodName> {
  const secure = context.connection.isSecure;
  const mayExposeSecret = secure || options.allowPlaintextPassword === true;
  const requested = options.mechanism ?? 'auto';

  if (requested !== 'auto') {
    const name = METHOD_BY_OPTION[requested];
    const method = buildMethod(name, options, context);
    if (!method) {
      const needs = name === 'XOAUTH2' || name === 'OAUTHBEARER' ? 'an access token' : 'a password';
      const extra =
        name === 'APOP' && options.password !== undefined
          ? ' and an APOP timestamp in the greeting'
          : '';
      throw new Pop3Error('NO_MECHANISM', `${name} needs ${needs}${extra}`);
    }
    if (method.exposesSecret && !mayExposeSecret) throw plaintextRefused([name]);
    if (!offered(name, context, true)) {
      throw new Pop3Error(
        'NO_MECHANISM',
        `The server does not offer ${name} (it offers ${describeOffer(context)})`,
      );
    }
    await method.run(context.connection);
    return name;
  }

  const order = [
    ...(options.accessToken !== undefined ? TOKEN_ORDER : []),
    ...(options.password !== undefined
      ? secure
        ? PASSWORD_ORDER_SECURE
        : PASSWORD_ORDER_CLEAR
      : []),
  ];
  const candidates: AuthMethod[] = [];
  const heldBack: AuthMethodName[] = [];
  for (const name of order) {
    const method = buildMethod(name, options, context);
    if (!method || !offered(name, context, false)) continue;
    if (method.exposesSecret && !mayExposeSecret) heldBack.push(name);
    else candidates.push(method);
  }
  if (candidates.length === 0) {
    if (heldBack.length > 0) throw plaintextRefused(heldBack);
    throw new Pop3Error(
      'NO_MECHANISM',
      `No authentication mechanism fits: the server offers ${describeOffer(context)}`,
    );
  }

  let lastError: Pop3Error | undefined;
  for (const method of candidates) {
    try {
      await method.run(context.connection);
      return method.name;
    } catch (error) {
      if (!(error instanceof Pop3Error) || endsTheSearch(error)) throw error;
      lastError = error;
    }
  }
  throw lastError!;
}

function plaintextRefused(names: AuthMethodName[]): Pop3Error {
  return new Pop3Error(
    'PLAINTEXT_REFUSED',
    `Refusing to send the password in clear text with ${names.join(', ')}: the connection is not encrypted (set allowPlaintextPassword to allow it)`,
  );
}
