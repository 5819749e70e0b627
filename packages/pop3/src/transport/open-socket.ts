import net from 'node:net';
import tls from 'node:tls';
import { Pop3Error } from '../errors';
import { fingerprintsMatch, peerCertificateFacts, type Pop3TlsInfo } from './certificate';
import { secureContextTrusting } from './secure-context-cache';
import { connectError, handshakeError } from './socket-errors';

export interface DialTarget {
  /** Name of the server: used for SNI and the certificate check. */
  host: string;
  /** Address to dial instead of resolving `host` again (the caller already checked it). */
  address?: string;
  port: number;
}

export interface TlsTrust {
  /** Extra CA certificate(s), PEM, trusted in addition to the built-in roots. */
  caPem?: string;
  /** SHA-256 fingerprint of the certificate to trust even when its chain does not verify. */
  pinSha256?: string;
  /** Name to send as SNI and to check the certificate against; defaults to `host`. */
  servername?: string;
}

export interface DialControl {
  timeoutMs: number;
  signal?: AbortSignal;
}

export function describeTarget(target: DialTarget): string {
  const shown = `${target.host}:${target.port}`;
  return target.address && target.address !== target.host ? `${shown} (${target.address})` : shown;
}

function abortedError(): Pop3Error {
  return new Pop3Error('ABORTED', 'The session was aborted');
}

/**
 * Waits for `socket` to emit `readyEvent`, turning a timeout, an abort or an error into
 * a Pop3Error and destroying the socket in every failure case.
 */
function settle<T>(
  socket: net.Socket,
  readyEvent: 'connect' | 'secureConnect',
  control: DialControl,
  what: string,
  mapError: (error: unknown) => Pop3Error,
  onReady: () => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (error: Pop3Error): void => {
      cleanup();
      // A destroyed socket may still report an error; nobody is listening any more.
      socket.on('error', () => {});
      socket.destroy();
      reject(error);
    };
    const onError = (error: unknown): void => fail(mapError(error));
    const onClose = (): void =>
      fail(mapError(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' })));
    const onAbort = (): void => fail(abortedError());
    const timer = setTimeout(
      () => fail(new Pop3Error('TIMEOUT', `${what} took longer than ${control.timeoutMs} ms`)),
      control.timeoutMs,
    );
    const onReadyEvent = (): void => {
      cleanup();
      try {
        resolve(onReady());
      } catch (error) {
        socket.destroy();
        reject(mapError(error));
      }
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(readyEvent, onReadyEvent);
      control.signal?.removeEventListener('abort', onAbort);
    }
    if (control.signal?.aborted) {
      fail(abortedError());
      return;
    }
    control.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(readyEvent, onReadyEvent);
  });
}

/** Opens a plain TCP connection (for plain POP3 and for STLS). */
export function openTcp(target: DialTarget, control: DialControl): Promise<net.Socket> {
  const where = describeTarget(target);
  const socket = net.connect({ host: target.address ?? target.host, port: target.port });
  return settle(
    socket,
    'connect',
    control,
    `Connecting to ${where}`,
    (e) => connectError(e, where),
    () => {
      socket.setNoDelay(true);
      return socket;
    },
  );
}

export interface SecureSocket {
  socket: tls.TLSSocket;
  info: Pop3TlsInfo;
}

/**
 * Runs the TLS handshake, either on a fresh connection (implicit TLS) or on `plainSocket`
 * after STLS. Trust is decided here rather than by Node so that a failure can report the
 * certificate's fingerprint and a matching pin can stand in for a chain.
 */
export function startTls(
  target: DialTarget,
  trust: TlsTrust,
  control: DialControl,
  plainSocket?: net.Socket,
): Promise<SecureSocket> {
  const where = describeTarget(target);
  const identity = trust.servername ?? target.host;
  const servername = net.isIP(identity) ? undefined : identity;
  const options: tls.ConnectionOptions = {
    // The decision is made below, where the fingerprint is known.
    rejectUnauthorized: false,
    checkServerIdentity: (_name, certificate) => tls.checkServerIdentity(identity, certificate),
    ...(servername === undefined ? {} : { servername }),
    ...(trust.caPem ? { secureContext: secureContextTrusting(trust.caPem) } : {}),
  };
  let tcpUp = plainSocket !== undefined;
  const socket = plainSocket
    ? tls.connect({ ...options, socket: plainSocket })
    : tls.connect({ ...options, host: target.address ?? target.host, port: target.port });
  if (!plainSocket) socket.once('connect', () => (tcpUp = true));

  const mapError = (error: unknown): Pop3Error =>
    tcpUp ? handshakeError(error, where) : connectError(error, where);

  return settle(
    socket,
    'secureConnect',
    control,
    `Connecting with TLS to ${where}`,
    mapError,
    () => {
      socket.setNoDelay(true);
      const facts = peerCertificateFacts(socket);
      if (!facts) throw new Pop3Error('TLS_FAILED', `${where} presented no certificate`);
      let trustedBy: Pop3TlsInfo['trustedBy'] = 'chain';
      const authorizationError = socket.authorized ? null : String(socket.authorizationError);
      if (!socket.authorized) {
        if (!trust.pinSha256 || !fingerprintsMatch(trust.pinSha256, facts.fingerprint256)) {
          const pinNote = trust.pinSha256 ? ' and does not match the pinned fingerprint' : '';
          throw new Pop3Error(
            'TLS_UNTRUSTED',
            `The certificate of ${where} is not trusted (${authorizationError})${pinNote}; its SHA-256 fingerprint is ${facts.fingerprint256}`,
            { fingerprint256: facts.fingerprint256 },
          );
        }
        trustedBy = 'pin';
      }
      const cipher = socket.getCipher();
      return {
        socket,
        info: {
          protocol: socket.getProtocol(),
          cipher: cipher.standardName ?? cipher.name,
          ...facts,
          trustedBy,
          authorizationError,
        },
      };
    },
  );
}
