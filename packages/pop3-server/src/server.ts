import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { SUPPORTED_SASL, UserDirectory } from './auth';
import { certificateSha256, generateSelfSignedCert } from './certificate';
import { FaultQueue, type Fault } from './faults';
import { MailboxStore } from './mailbox';
import {
  DEFAULT_USERS,
  resolveCapabilities,
  type Pop3ServerOptions,
  type ServerMessage,
} from './options';
import { Pop3Session, type SessionEnvironment } from './session';
import { emptyStats, type Pop3ServerStats } from './stats';

/** A POP3 server that does what a test tells it, including what real servers get wrong. */
export class Pop3Server {
  readonly stats: Pop3ServerStats = emptyStats();
  private readonly faults = new FaultQueue();
  private readonly store = new MailboxStore();
  private readonly sessions = new Set<Pop3Session>();
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly listener: Server,
    readonly host: string,
    readonly port: number,
    /** The certificate in use for TLS/STLS, when there is one (sha256: hex, no colons). */
    readonly tlsCert: { key: string; cert: string; sha256: string } | undefined,
  ) {}

  static async start(options: Pop3ServerOptions = {}): Promise<Pop3Server> {
    const capabilities = resolveCapabilities(options.capabilities);
    const unknown = capabilities.sasl.filter(
      (m) => !(SUPPORTED_SASL as readonly string[]).includes(m),
    );
    if (unknown.length > 0) throw new Error(`unsupported SASL mechanisms: ${unknown.join(', ')}`);

    const security = options.security ?? 'none';
    const needsTls = security === 'tls' || options.stls === true;
    let tlsCert: Pop3Server['tlsCert'];
    if (options.tlsCert) {
      tlsCert = { ...options.tlsCert, sha256: certificateSha256(options.tlsCert.cert) };
    } else if (needsTls) {
      tlsCert = await generateSelfSignedCert();
    }
    const secureContext: SecureContext | undefined = tlsCert
      ? createSecureContext({ key: tlsCert.key, cert: tlsCert.cert })
      : undefined;

    const host = options.host ?? '127.0.0.1';
    const listener = createServer();
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(options.port ?? 0, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const address = listener.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');

    const server = new Pop3Server(listener, host, address.port, tlsCert);
    const users = options.users ?? DEFAULT_USERS;
    for (const user of users) server.store.set(user.username, []);
    for (const [username, messages] of Object.entries(options.mailboxes ?? {})) {
      server.store.set(username, messages);
    }
    const env: SessionEnvironment = {
      capabilities,
      users: new UserDirectory(users),
      store: server.store,
      faults: server.faults,
      stats: server.stats,
      greeting: options.greeting ?? 'Popgate POP3 test server ready',
      stls: options.stls ?? false,
      secureContext,
      enforceLoginDelay: options.enforceLoginDelay ?? false,
      lastLogins: new Map(),
      maxLineLength: options.maxLineLength ?? 1024,
      maxSaslLineLength: options.maxSaslLineLength ?? 16_384,
    };
    listener.on('connection', (socket) => server.accept(socket, env, security === 'tls'));
    return server;
  }

  private accept(plain: Socket, env: SessionEnvironment, implicitTls: boolean): void {
    this.sockets.add(plain);
    plain.once('close', () => this.sockets.delete(plain));
    if (this.closing) {
      plain.destroy();
      return;
    }
    this.stats.sessions += 1;
    this.stats.activeSessions += 1;
    const number = this.stats.sessions;
    const socket = implicitTls
      ? new TLSSocket(plain, { isServer: true, secureContext: env.secureContext })
      : plain;
    const session = new Pop3Session(number, socket, implicitTls, env, () => {
      this.sessions.delete(session);
      this.stats.activeSessions -= 1;
    });
    this.sessions.add(session);
    // With implicit TLS the greeting is the first thing sent inside the encrypted channel.
    if (implicitTls) socket.once('secure', () => session.start());
    else session.start();
  }

  /** The committed messages of a user, as UPDATE left them (uidl always filled in). */
  mailbox(username: string): ServerMessage[] {
    return this.store.messages(username).map(({ body, uidl }) => ({ body, uidl }));
  }

  /** Replaces a mailbox; sessions already logged in keep the list they started with. */
  setMailbox(username: string, messages: ServerMessage[]): void {
    this.store.set(username, messages);
  }

  /** Appends a message; sessions already logged in do not see it (POP3 has no refresh). */
  addMessage(username: string, message: ServerMessage): void {
    this.store.add(username, message);
  }

  inject(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Faults injected and not yet used up. */
  get pendingFaults(): Fault[] {
    return this.faults.pending;
  }

  /** Stops listening and drops every connection, whatever state it is in. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.listener.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      for (const session of this.sessions) session.destroy();
    });
    return this.closing;
  }
}
