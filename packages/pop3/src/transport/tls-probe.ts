import { isIP } from 'node:net';
import tls from 'node:tls';
import { describeTarget, type DialTarget } from './open-socket';

/**
 * Does the server at `target` expect TLS from the first byte (implicit TLS, port 995)? Such a
 * server stays silent on a plain connection, waiting for the client's TLS hello, where a POP3
 * server greets with "+OK": a second connection offers a TLS hello and says whether a TLS
 * handshake answers. Nothing is sent over it but the handshake (no command, no credential), and
 * its certificate is not judged here: the question is only which protocol the port speaks.
 */
export function speaksImplicitTls(
  target: DialTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const socket = tls.connect({
      host: target.address ?? target.host,
      port: target.port,
      rejectUnauthorized: false,
      ...(isIP(target.host) ? {} : { servername: target.host }),
    });
    const finish = (answer: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(answer);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

/** The error for a port that expects TLS from the start, where STARTTLS or plain was chosen. */
export const tlsExpectedMessage = (target: DialTarget): string =>
  `${describeTarget(target)} expects SSL/TLS from the start (implicit TLS, usually port 995), not a plain POP3 greeting: choose SSL/TLS for this port`;
