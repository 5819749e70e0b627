import net from 'node:net';
import { generateSelfSignedCert, type SelfSignedCertificate } from '@popgate/pop3-server';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * Scripted SMTP servers for the faults a real server (Postfix) cannot produce on demand: a
 * refusing greeting, no STARTTLS, refusals of the sender, the recipients or the message, a
 * connection dropped in the middle of DATA, silence. Built on smtp-server; `rawSmtp` is a bare
 * TCP server for what is not SMTP at all.
 */

/** An SMTP reply as smtp-server sends it for an error: code and text. */
export const reply = (code: number, text: string) =>
  Object.assign(new Error(text), { responseCode: code });

export interface ReceivedMessage {
  from: string;
  to: string[];
  data: Buffer;
}

export interface SmtpFaultsOptions {
  /** TLS from the start (465 style); otherwise STARTTLS is offered unless hidden. */
  secure?: boolean;
  /** Neither offer nor accept STARTTLS. */
  noSTARTTLS?: boolean;
  /** Accepted credentials (default alice / alice-pw). */
  users?: Record<string, string>;
  authMethods?: string[];
  size?: number;
  /** Refuse the session at the greeting with this reply. */
  greeting?: { code: number; text: string };
  mailFrom?: { code: number; text: string };
  /** A refusal for each recipient address it names. */
  rcptTo?: Record<string, { code: number; text: string }>;
  /**
   * What happens to the message: stored (default), refused with a reply, the connection dropped
   * after the first bytes of data arrived, or no final reply at all.
   */
  data?: 'accept' | 'close' | 'stall' | { code: number; text: string };
  certificate?: SelfSignedCertificate;
}

export interface SmtpFaults {
  port: number;
  certificate: SelfSignedCertificate;
  received: ReceivedMessage[];
  /** The server's sessions: commands seen, for assertions about what the client did. */
  authAttempts: Array<{ method: string; username: string }>;
  close(): Promise<void>;
}

export async function startSmtpFaults(options: SmtpFaultsOptions = {}): Promise<SmtpFaults> {
  const certificate = options.certificate ?? (await generateSelfSignedCert());
  const users = options.users ?? { alice: 'alice-pw' };
  const received: ReceivedMessage[] = [];
  const authAttempts: SmtpFaults['authAttempts'] = [];
  const serverOptions: SMTPServerOptions = {
    secure: options.secure ?? false,
    key: certificate.key,
    cert: certificate.cert,
    ...(options.noSTARTTLS ? { disabledCommands: ['STARTTLS'] } : {}),
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    ...(options.size ? { size: options.size } : {}),
    onConnect(_session, callback) {
      const greeting = options.greeting;
      callback(greeting ? reply(greeting.code, greeting.text) : null);
    },
    onAuth(auth, _session, callback) {
      authAttempts.push({ method: auth.method, username: auth.username ?? '' });
      if (auth.username && users[auth.username] === auth.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(reply(535, '5.7.8 Error: authentication failed: bad credentials'));
    },
    onMailFrom(_address, _session, callback) {
      const refusal = options.mailFrom;
      callback(refusal ? reply(refusal.code, refusal.text) : null);
    },
    onRcptTo(address, _session, callback) {
      const refusal = options.rcptTo?.[address.address];
      callback(refusal ? reply(refusal.code, refusal.text) : null);
    },
    onData(stream, session, callback) {
      const behaviour = options.data ?? 'accept';
      const chunks: Buffer[] = [];
      if (behaviour === 'close') {
        // Drop the connection once the data has begun: the client cannot know what arrived.
        stream.once('data', () => {
          for (const connection of server.connections) {
            if (connection.session?.id === session.id) connection._socket.destroy();
          }
        });
      }
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (behaviour === 'stall' || behaviour === 'close') return;
        if (behaviour !== 'accept') {
          callback(reply(behaviour.code, behaviour.text));
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
        });
        callback(null, `2.0.0 Ok: queued as FAULT${received.length}`);
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    certificate,
    received,
    authAttempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of server.connections) connection._socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that does whatever `onConnection` does with each connection (not SMTP at all). */
export async function rawSmtp(
  onConnection: (socket: net.Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
