import net from 'node:net';
import tls from 'node:tls';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client } from '../src/index';
import { recordLog, rejection } from './support/session-helpers';

/** A TCP listener whose behaviour each test scripts; closed after the test. */
const listeners: net.Server[] = [];
const accepted: net.Socket[] = [];
afterEach(async () => {
  for (const socket of accepted.splice(0)) socket.destroy();
  await Promise.all(
    listeners
      .splice(0)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  listeners.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Answers POP3 commands one line at a time with `respond`. */
function answerLines(socket: net.Socket, respond: (line: string) => string | null): void {
  let pending = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    for (let lf = pending.indexOf('\n'); lf !== -1; lf = pending.indexOf('\n')) {
      const line = pending.slice(0, lf).replace(/\r$/, '');
      pending = pending.slice(lf + 1);
      const answer = respond(line);
      if (answer !== null) socket.write(answer);
    }
  });
}

describe('connection failures', () => {
  it('reports an unknown host as DNS', async () => {
    const error = await rejection(
      Pop3Client.connect({ host: 'pop.does-not-exist.invalid', security: 'none' }),
    );
    expect(error.code).toBe('DNS');
  });

  it('reports a closed port as REFUSED', async () => {
    const port = await listen(() => {});
    await new Promise<void>((resolve) => listeners.pop()!.close(() => resolve()));
    const error = await rejection(
      Pop3Client.connect({ host: '127.0.0.1', port, security: 'none' }),
    );
    expect(error.code).toBe('REFUSED');
  });

  it('reports a server that never greets as TIMEOUT', async () => {
    const port = await listen(() => {});
    const error = await rejection(
      Pop3Client.connect({
        host: '127.0.0.1',
        port,
        security: 'none',
        timeouts: { greetingMs: 200 },
      }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('greeting');
  });

  it('reports a TLS handshake that never completes as TIMEOUT', async () => {
    const port = await listen(() => {});
    const error = await rejection(
      Pop3Client.connect({
        host: '127.0.0.1',
        port,
        security: 'tls',
        timeouts: { connectMs: 200 },
      }),
    );
    expect(error.code).toBe('TIMEOUT');
  });

  it('reports a server that hangs up before greeting as CONNECTION_CLOSED', async () => {
    const port = await listen((socket) => socket.end());
    const error = await rejection(
      Pop3Client.connect({ host: '127.0.0.1', port, security: 'none' }),
    );
    expect(error.code).toBe('CONNECTION_CLOSED');
  });

  it('reports a greeting that is not POP3 as PROTOCOL', async () => {
    const port = await listen((socket) => socket.write('220 smtp.example.com ESMTP\r\n'));
    const error = await rejection(
      Pop3Client.connect({ host: '127.0.0.1', port, security: 'none' }),
    );
    expect(error.code).toBe('PROTOCOL');
  });
});

describe('STLS', () => {
  it('throws away whatever arrives in clear text after +OK, before the handshake', async () => {
    const certificate = await generateSelfSignedCert();
    const secureContext = tls.createSecureContext({ key: certificate.key, cert: certificate.cert });
    const port = await listen((plain) => {
      plain.write('+OK ready\r\n');
      const onClearLine = (line: string): string | null => {
        if (line === 'CAPA') return '+OK\r\nSTLS\r\nUSER\r\n.\r\n';
        if (line === 'STLS') {
          // An attacker on the path appends answers for the commands that will follow.
          plain.write('+OK begin TLS\r\n+OK\r\nUSER\r\n.\r\n-ERR injected\r\n');
          plain.removeAllListeners('data');
          const secure = new tls.TLSSocket(plain, { isServer: true, secureContext });
          secure.on('error', () => {});
          answerLines(secure, (command) => {
            if (command === 'CAPA') return '+OK\r\nUSER\r\nX-AFTER-TLS\r\n.\r\n';
            if (command.startsWith('USER') || command.startsWith('PASS')) return '+OK\r\n';
            if (command === 'QUIT') return '+OK bye\r\n';
            return '-ERR unknown\r\n';
          });
          return null;
        }
        return '-ERR unknown\r\n';
      };
      answerLines(plain, onClearLine);
    });
    const { entries, log } = recordLog();
    const client = await Pop3Client.connect({
      host: '127.0.0.1',
      port,
      security: 'starttls',
      tls: { pinSha256: certificate.sha256 },
      auth: { username: 'user', password: 'secret' },
      log,
    });
    expect(client.capabilities.raw).toContain('X-AFTER-TLS');
    expect(client.authenticatedWith).toBe('USER');
    expect(entries.some((entry) => entry.line.includes('injected'))).toBe(false);
    await client.quit();
  });
});
