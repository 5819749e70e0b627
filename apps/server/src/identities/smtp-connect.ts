import type { Security, SmtpAuthMethod, SmtpServerInfo } from '@popgate/contracts';
import { isIP } from 'node:net';
import tls from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import type { Identity, Policy, Pop3Account } from '../generated/prisma/client';
import { loadPolicy } from '../accounts/account-policy-check';
import { openAccountSecret } from '../accounts/account-secret';
import { openIdentitySecret } from './identity-secret';
import { smtpAuthToApi, smtpAuthToSasl } from './smtp-auth-names';
import { SmtpError, type SmtpFailure } from './smtp-failure';
import {
  classifySmtpError,
  replyText,
  type NodemailerSmtpError,
  type SmtpPhase,
} from './smtp-nodemailer-errors';
import { checkSmtpHost, checkSmtpPort, checkSmtpSecurity } from './smtp-policy-check';
import { requireAccountPasswordDestination } from './smtp-secret-destination';

/** Where and how to sign in to an SMTP server: an identity's settings, or a test's. */
export interface SmtpTarget {
  host: string;
  port: number;
  security: Security;
  username: string;
  /** The password (or access token with xoauth2), unsealed for this session only. */
  secret: string;
  auth: SmtpAuthMethod;
  tls: { caPem?: string | null; pinSha256?: string | null };
}

/**
 * An identity's SMTP settings with its secret: its own password, or else its account's: the
 * access token of the account's OAuth2 grant when the caller got one for this host (`accessToken`,
 * signing in with XOAUTH2), or the POP3 password, which goes only to a server of the same domain
 * as the POP3 server it was stored for (DomainError PASSWORD_REQUIRED otherwise: checked here
 * again, at every connection). Throws SecretUnavailableError when the sealed secret cannot be
 * opened.
 */
export function smtpTargetOf(
  keyring: Keyring,
  identity: Identity,
  account: Pick<Pop3Account, 'id' | 'host' | 'secretCiphertext' | 'secretKeyId'>,
  accessToken: string | null = null,
): SmtpTarget {
  let secret = openIdentitySecret(keyring, identity);
  if (secret === null && accessToken !== null) {
    return { ...targetSettings(identity), secret: accessToken, auth: 'xoauth2' };
  }
  if (secret === null) {
    requireAccountPasswordDestination(account.host, identity.smtpHost);
    secret = openAccountSecret(keyring, account);
  }
  return { ...targetSettings(identity), secret, auth: smtpAuthToApi(identity.smtpAuth) };
}

const targetSettings = (identity: Identity) => ({
  host: identity.smtpHost,
  port: identity.smtpPort,
  security: identity.smtpSecurity,
  username: identity.smtpUsername,
  tls: { caPem: identity.smtpTlsCaPem, pinSha256: identity.smtpTlsPinSha256 },
});

export interface SmtpSendResult {
  accepted: string[];
  /** Recipients the server refused while it took the others, with its reply for each. */
  rejected: Array<{ address: string; reply: string }>;
  /** The server's final reply to the message ("250 2.0.0 Ok: queued as …"). */
  response: string;
}

/**
 * An authenticated SMTP session. `send` hands over one message (envelope and raw bytes; the
 * envelope, and DATA with it, go in one batch when the server offers PIPELINING); several
 * messages may go over one session, one at a time. A failed `send` throws an SmtpError (see
 * describeSmtpFailure); after a refusal the session stays usable (it is reset before the next
 * message), after a broken connection `alive` is false.
 */
export interface SmtpSession {
  readonly serverInfo: SmtpServerInfo;
  readonly alive: boolean;
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SmtpSendResult>;
  /** RSET: forget a half-done transaction. */
  reset(): Promise<void>;
  /** QUIT (bounded), or drop the connection when it is not healthy. */
  close(): Promise<void>;
}

export interface SmtpConnectDeps {
  prisma: Pick<Db, 'policy'>;
  config: { allowPrivateNetworks: boolean };
  /** The admin policy, when the caller has just read it. */
  policy?: Policy;
}

export interface SmtpConnectOptions {
  /** For each step: connecting, the greeting, the TLS upgrade, every reply (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A reply longer than this is not SMTP (EHLO lists are a few hundred bytes). */
const MAX_REPLY_BYTES = 64 * 1024;
/** Mechanisms Popgate signs in with, most preferred first (XOAUTH2 only when chosen). */
const OVER_TLS = ['PLAIN', 'LOGIN', 'CRAM-MD5'];
/** Without TLS (only when the admin allows it), a mechanism that keeps the password off the wire first. */
const IN_THE_CLEAR = ['CRAM-MD5', 'PLAIN', 'LOGIN'];

/** Distinct CA bundles kept; identities rarely bring their own, so a few suffice. */
const MAX_CONTEXTS = 32;
const contexts = new Map<string, tls.SecureContext>();

/** The built-in roots plus `caPem`, built once per distinct CA (parsing the roots takes ~20 ms). */
function secureContextTrusting(caPem: string): tls.SecureContext {
  let context = contexts.get(caPem);
  if (context) contexts.delete(caPem);
  else {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, caPem] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  }
  contexts.set(caPem, context);
  return context;
}

const normalizeFingerprint = (value: string) =>
  value
    .trim()
    .replace(/^sha-?256[:/=]?/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();

/** What the session heard from the server: the greeting, and whether DATA was answered 354. */
class Transcript {
  greeting: string | null = null;
  dataStarted = false;

  /** A bunyan-like logger for SMTPConnection's transaction log: server replies only are kept. */
  readonly logger = {
    debug: (entry: { tnx?: string }, message?: unknown) => {
      if (entry?.tnx !== 'server' || typeof message !== 'string') return;
      if (this.greeting === null) this.greeting = replyText(message) ?? '';
      if (/^354[ -]/.test(message)) this.dataStarted = true;
    },
    info: () => {},
    warn: () => {},
    error: () => {},
    trace: () => {},
    fatal: () => {},
  };
}

/**
 * Runs one step of the connection: resolves with its callback's result, or rejects with the error
 * the connection emits (or its end) meanwhile; nodemailer reports some failures only as events.
 */
function step<T>(
  connection: SMTPConnection,
  start: (done: (error: Error | null | undefined, result?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (error: Error) => finish(error);
    const onEnd = () =>
      finish(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }));
    const finish = (error: Error | null | undefined, result?: T) => {
      connection.off('error', onError);
      connection.off('end', onEnd);
      if (error) reject(error);
      else resolve(result as T);
    };
    connection.once('error', onError);
    connection.once('end', onEnd);
    start(finish);
  });
}

/** The EHLO keywords of a reply (its first line is the server's name). */
const ehloKeywords = (reply: string): string[] =>
  reply
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.replace(/^\d{3}[ -]/, '').trim())
    .filter(Boolean);

function authMechanismsOf(extensions: string[]): string[] {
  const mechanisms = new Set<string>();
  for (const keyword of extensions) {
    const match = /^AUTH[ =](.*)$/i.exec(keyword);
    if (!match) continue;
    for (const name of match[1]!.split(/[\s=]+/)) if (name) mechanisms.add(name.toUpperCase());
  }
  return [...mechanisms];
}

/**
 * Opens and authenticates an SMTP session, the one way Popgate connects to a sending server (the
 * connection test and the outbox sender alike):
 * - the admin policy as it stands now: SMTP ports, TLS required, host and network lists; the host
 *   resolved once by the private-network guard and the checked address dialled, with the name as
 *   TLS server name (DomainError otherwise, nothing dialled);
 * - TLS from the start (tls), STARTTLS required (starttls: a server that does not offer it is
 *   STLS_UNAVAILABLE, never a plain fallback) or none (only when the admin allows it);
 * - the certificate verified against the system's authorities (plus the identity's CA) and the
 *   name, or its pinned SHA-256 fingerprint; the decision is made before any credential is sent;
 * - signing in with the chosen mechanism, or the best one the server offers.
 * Failures are SmtpErrors whose `failure` says what went wrong in the user's words.
 */
export async function connectSmtp(
  deps: SmtpConnectDeps,
  target: SmtpTarget,
  options: SmtpConnectOptions = {},
): Promise<SmtpSession> {
  const policy = deps.policy ?? (await loadPolicy(deps.prisma));
  checkSmtpSecurity(target.security, policy);
  checkSmtpPort(target.port, policy);
  const address = await checkSmtpHost(target.host, policy, deps.config);
  options.signal?.throwIfAborted();

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transcript = new Transcript();
  const servername = isIP(target.host) ? undefined : target.host;
  const xoauth2 = target.auth === 'xoauth2';
  const connection = new SMTPConnection({
    host: address,
    port: target.port,
    secure: target.security === 'tls',
    requireTLS: target.security === 'starttls',
    ignoreTLS: target.security === 'none',
    ...(servername ? { servername } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    socketCloseTimeout: 1000,
    maxResponseSize: MAX_REPLY_BYTES,
    tls: {
      // Trust is decided below, where the fingerprint is known and a pin may stand in for a chain;
      // Node still checks chain and name and reports the outcome in `authorized`.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      checkServerIdentity: (_name, certificate) =>
        tls.checkServerIdentity(target.host, certificate),
      ...(target.tls.caPem ? { secureContext: secureContextTrusting(target.tls.caPem) } : {}),
    },
    logger: transcript.logger as never,
    transactionLog: true,
    ...(xoauth2 ? { customAuth: { XOAUTH2: xoauth2Handler } } : {}),
  });
  // Errors also arrive as events (after a failed step has settled); they are handled per step.
  connection.on('error', () => {});

  let phase: SmtpPhase = 'connect';
  const fail = (error: unknown): never => {
    connection.close();
    if (error instanceof SmtpError) throw error;
    if (options.signal?.aborted) {
      throw new SmtpError({
        code: 'TIMEOUT',
        message: `The connection to ${target.host} port ${target.port} was given up: nobody waits for it any more.`,
        permanent: false,
        outcomeUnknown: false,
      });
    }
    throw new SmtpError(
      classifySmtpError(error as NodemailerSmtpError, {
        host: target.host,
        port: target.port,
        phase,
        greeted: transcript.greeting !== null,
        dataStarted: transcript.dataStarted,
      }),
    );
  };
  const onAbort = () => connection.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await step<void>(connection, (done) => connection.connect((error) => done(error)));
    const tlsInfo = verifiedTls(connection, target);
    const ehlo =
      typeof connection.lastServerResponse === 'string' ? connection.lastServerResponse : '';
    const extensions = ehloKeywords(ehlo);
    const authMechanisms = authMechanismsOf(extensions);
    const mechanism = chooseMechanism(target, authMechanisms, connection.secure);

    phase = 'auth';
    await step<boolean | undefined>(connection, (done) =>
      connection.login(
        {
          user: target.username,
          pass: target.secret,
          method: mechanism,
          // nodemailer runs XOAUTH2 (our handler) only when `oauth2` is set; without it, it falls
          // back silently to the server's first mechanism and sends the token as a PLAIN password.
          ...(xoauth2 ? { oauth2: {} as never } : {}),
        },
        done,
      ),
    );
    const size = /^SIZE\s+(\d+)/i.exec(extensions.find((k) => /^SIZE\b/i.test(k)) ?? '');
    const serverInfo: SmtpServerInfo = {
      host: target.host,
      port: target.port,
      address,
      security: target.security,
      greeting: transcript.greeting ?? '',
      extensions,
      authMechanisms,
      authenticatedWith: mechanism,
      maxMessageBytes: size && Number(size[1]) > 0 ? Number(size[1]) : null,
      pipelining: extensions.some((k) => /^PIPELINING$/i.test(k)),
      tls: tlsInfo,
    };
    return session(connection, serverInfo, transcript, target);
  } catch (error) {
    return fail(error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The TLS session's facts, or SmtpError TLS_UNTRUSTED when neither chain nor pin vouch for it. */
function verifiedTls(connection: SMTPConnection, target: SmtpTarget): SmtpServerInfo['tls'] {
  const socket = connection._socket;
  if (!(socket instanceof tls.TLSSocket)) {
    if (target.security === 'none') return null;
    // requireTLS and secure never let a session go on without TLS; this is the belt to their braces.
    throw new SmtpError({
      code: 'TLS_FAILED',
      message: `The connection to ${target.host} port ${target.port} is not encrypted although it should be.`,
      permanent: true,
      outcomeUnknown: false,
    });
  }
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) {
    throw new SmtpError({
      code: 'TLS_FAILED',
      message: `${target.host} port ${target.port} presented no certificate.`,
      permanent: true,
      outcomeUnknown: false,
    });
  }
  const fingerprint256 = certificate.fingerprint256;
  let trustedBy: 'chain' | 'pin' = 'chain';
  if (!socket.authorized) {
    const pin = target.tls.pinSha256 ? normalizeFingerprint(target.tls.pinSha256) : '';
    if (pin.length !== 64 || pin !== normalizeFingerprint(fingerprint256)) {
      throw new SmtpError(untrusted(target, String(socket.authorizationError), fingerprint256));
    }
    trustedBy = 'pin';
  }
  const cipher = socket.getCipher();
  return {
    protocol: socket.getProtocol(),
    cipher: cipher.standardName ?? cipher.name,
    fingerprint256,
    trustedBy,
  };
}

function untrusted(target: SmtpTarget, reason: string, fingerprint256: string): SmtpFailure {
  const pinned = target.tls.pinSha256
    ? ' It does not match the fingerprint pinned for this identity: the certificate has changed.'
    : '';
  return {
    code: 'TLS_UNTRUSTED',
    message: `The certificate of ${target.host} is not trusted (${reason}).${pinned} Its SHA-256 fingerprint is ${fingerprint256}. If you know this server uses this certificate, trust it by pinning the fingerprint; otherwise do not go on, as someone may be intercepting the connection.`,
    permanent: true,
    outcomeUnknown: false,
    fingerprint256,
  };
}

/** The mechanism to sign in with, or SmtpError AUTH_UNAVAILABLE. */
function chooseMechanism(target: SmtpTarget, offered: string[], encrypted: boolean): string {
  const chosen = smtpAuthToSasl(target.auth);
  const where = `${target.host} port ${target.port}`;
  const unavailable = (message: string): never => {
    throw new SmtpError({
      code: 'AUTH_UNAVAILABLE',
      message,
      permanent: true,
      outcomeUnknown: false,
    });
  };
  if (offered.length === 0) {
    return unavailable(
      `${where} offers no way to sign in on this connection${encrypted ? '' : ' (many servers offer it only once the connection is encrypted: choose STARTTLS or TLS)'}. Check that this is your provider's sending server (submission, usually port 587 or 465).`,
    );
  }
  if (chosen) {
    if (offered.includes(chosen)) return chosen;
    return unavailable(
      `${where} does not offer the sign-in method ${chosen}; it offers ${offered.join(', ')}. Choose "auto" or one of those.`,
    );
  }
  const usable = (encrypted ? OVER_TLS : IN_THE_CLEAR).find((name) => offered.includes(name));
  return (
    usable ??
    unavailable(
      `${where} offers no sign-in method Popgate can use with a password (it offers ${offered.join(', ')}).`,
    )
  );
}

/** SASL XOAUTH2 with an access token (the secret); a refusal ends with the server's reply. */
async function xoauth2Handler(context: SMTPConnection.CustomAuthenticationContext) {
  const { user, pass } = context.auth.credentials;
  const token = Buffer.from(`user=${user}\x01auth=Bearer ${pass}\x01\x01`).toString('base64');
  let reply = await context.sendCommand(`AUTH XOAUTH2 ${token}`);
  // A refusal comes as a 334 challenge carrying the error; an empty line ends the exchange.
  if (reply.status === 334) reply = await context.sendCommand('');
  if (reply.status === 235) return;
  throw Object.assign(new Error('Invalid login'), { response: reply.response });
}

function session(
  connection: SMTPConnection,
  serverInfo: SmtpServerInfo,
  transcript: Transcript,
  target: SmtpTarget,
): SmtpSession {
  let needsReset = false;
  let busy = false;
  const context = (phase: SmtpPhase) => ({
    host: target.host,
    port: target.port,
    phase,
    dataStarted: transcript.dataStarted,
  });
  const reset = async () => {
    try {
      await step<boolean | undefined>(connection, (done) => connection.reset(done));
      needsReset = false;
    } catch (error) {
      connection.close();
      throw new SmtpError(classifySmtpError(error as NodemailerSmtpError, context('send')));
    }
  };
  return {
    serverInfo,
    get alive() {
      return !connection.destroyed;
    },
    async send(envelope, raw) {
      if (busy) throw new Error('SmtpSession.send: one message at a time');
      busy = true;
      try {
        if (needsReset) await reset();
        transcript.dataStarted = false;
        const info = await step<SMTPConnection.SentMessageInfo>(connection, (done) =>
          connection.send({ from: envelope.from, to: envelope.to, size: raw.length }, raw, done),
        );
        return {
          accepted: info.accepted.map(String),
          rejected: (info.rejectedErrors ?? []).map((error) => ({
            address: String((error as { recipient?: string }).recipient ?? ''),
            reply: replyText(error.response) ?? error.message,
          })),
          response: replyText(info.response) ?? '',
        };
      } catch (error) {
        if (error instanceof SmtpError) throw error;
        needsReset = true;
        const failure = classifySmtpError(error as NodemailerSmtpError, context('send'));
        const refusals = (error as { rejectedErrors?: NodemailerSmtpError[] }).rejectedErrors;
        if (refusals?.length && failure.reply) {
          failure.message = `${failure.message.replace(/\s*$/, '')} ${refusals
            .map((r) => `${(r as { recipient?: string }).recipient}: ${replyText(r.response)}`)
            .join('; ')}`.slice(0, 2000);
        }
        throw new SmtpError(failure);
      } finally {
        busy = false;
      }
    },
    reset,
    async close() {
      if (connection.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          connection.close();
          resolve();
        }, 2000);
        timer.unref?.();
        connection.once('end', () => {
          clearTimeout(timer);
          resolve();
        });
        connection.quit();
      });
    },
  };
}
