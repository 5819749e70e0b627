import { connect as connectPlain, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface ProbeTarget {
  host: string;
  port: number;
  /** Implicit TLS, verified against this CA for the name localhost. */
  caPem?: string;
}

/** Connects once and resolves with the first line the server sends. */
export function readGreeting(target: ProbeTarget, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = target.caPem
      ? connectTls({
          host: target.host,
          port: target.port,
          ca: target.caPem,
          servername: 'localhost',
        })
      : connectPlain({ host: target.host, port: target.port });
    let received = '';
    const timer = setTimeout(() => finish(new Error('no greeting before timeout')), timeoutMs);
    const finish = (error: Error | null, line?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end !== -1) {
        socket.end('QUIT\r\n');
        finish(null, received.slice(0, end));
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('closed before a greeting')));
  });
}

/**
 * Retries until the server greets with `greeting` (POP3's +OK unless told otherwise),
 * `isDead` says to give up, or time runs out.
 */
export async function waitForGreeting(
  target: ProbeTarget,
  options: { deadline: number; isDead: () => boolean; greeting?: string },
): Promise<string> {
  const expected = options.greeting ?? '+OK';
  let lastError: unknown;
  while (Date.now() < options.deadline && !options.isDead()) {
    try {
      const line = await readGreeting(target, Math.max(100, options.deadline - Date.now()));
      if (line.startsWith(expected)) return line;
      lastError = new Error(`unexpected greeting: ${line}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${target.port} never greeted: ${String(lastError)}`);
}
