import net from 'node:net';
import tls from 'node:tls';
import { dotStuff, topOfMessage } from '@popgate/pop3-server';
import { messageCount, messageOf, type LoadMessage, type MailboxClock } from './load-mailbox';

export interface LoadServerOptions {
  /** Loopback addresses to listen on (all of 127/8 is local on Linux), all at one port. */
  addresses: string[];
  /** 0: a port free on every address. */
  port?: number;
  security: 'none' | 'tls';
  /** PEM pair for implicit TLS. */
  tlsCert?: { key: string; cert: string };
  /** Every response is sent this long after its command arrived (the greeting after the connect). */
  delayMs: number;
  /** Any user named u<number> logs in with this password. */
  password: string;
  clock: MailboxClock;
}

export interface LoadServerStats {
  connections: number;
  logins: number;
  failedLogins: number;
  commands: number;
  /** Sessions logged in right now. */
  active: number;
  /** Logins of a user while another session of the same user was logged in. */
  overlaps: number;
  overlappingUsers: string[];
}

/**
 * What Dovecot 2.3 announces before and after login (pop3 with auth_mechanisms = plain, no STLS
 * on an implicit-TLS or plain listener), so a client takes the same path it takes there.
 */
const CAPA = [
  '+OK',
  'CAPA',
  'TOP',
  'UIDL',
  'RESP-CODES',
  'PIPELINING',
  'AUTH-RESP-CODE',
  'USER',
  'SASL PLAIN',
  '.',
].join('\r\n');

const USER_NAME = /^u\d+$/;
const MAX_LINE = 1024;

/**
 * A POP3 server for load: many users on many addresses, each answer after `delayMs` as from a
 * server that far away, mailboxes computed from the clock instead of stored. Cheap by design: one
 * timer per connection at a time, no work between commands, so its CPU stays small next to the
 * client's.
 */
export class LoadServer {
  private readonly listeners: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Logged-in sessions per user. */
  private readonly active = new Map<string, number>();
  /** Messages deleted (DELE then QUIT), per user. */
  private readonly deleted = new Map<string, Set<string>>();
  readonly stats: LoadServerStats = {
    connections: 0,
    logins: 0,
    failedLogins: 0,
    commands: 0,
    active: 0,
    overlaps: 0,
    overlappingUsers: [],
  };

  private constructor(
    private readonly options: LoadServerOptions,
    public port: number,
  ) {}

  static async start(options: LoadServerOptions): Promise<LoadServer> {
    if (options.security === 'tls' && !options.tlsCert) throw new Error('TLS needs tlsCert');
    const server = new LoadServer(options, options.port ?? 0);
    // A port taken on one address by something else: start over on another.
    for (let attempt = 0; ; attempt++) {
      try {
        await server.listenAll();
        return server;
      } catch (error) {
        await server.closeListeners();
        if (options.port || attempt >= 20) throw error;
        server.port = 0;
      }
    }
  }

  get addresses(): string[] {
    return this.options.addresses;
  }

  private async listenAll(): Promise<void> {
    for (const address of this.options.addresses) {
      const listener =
        this.options.security === 'tls'
          ? tls.createServer({ ...this.options.tlsCert }, (s) => this.accept(s))
          : net.createServer((s) => this.accept(s));
      // A client that breaks off a handshake is no concern of the server's.
      listener.on('tlsClientError', () => {});
      this.listeners.push(listener);
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen({ host: address, port: this.port, backlog: 1024 }, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const bound = listener.address() as net.AddressInfo;
      this.port = bound.port;
    }
  }

  private async closeListeners(): Promise<void> {
    const all = this.listeners.splice(0);
    await Promise.all(
      all.map(
        (l) => new Promise<void>((resolve) => (l.listening ? l.close(() => resolve()) : resolve())),
      ),
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await this.closeListeners();
  }

  private accept(socket: net.Socket): void {
    this.stats.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    new LoadSession(socket, this.options, {
      login: (user) => this.login(user),
      logout: (user) => this.logout(user),
      deleted: (user) => this.deleted.get(user),
      commit: (user, uidls) => {
        const set = this.deleted.get(user) ?? new Set<string>();
        for (const uidl of uidls) set.add(uidl);
        this.deleted.set(user, set);
      },
      command: () => this.stats.commands++,
      failed: () => this.stats.failedLogins++,
    });
    socket.on('close', () => this.sockets.delete(socket));
  }

  private login(user: string): void {
    this.stats.logins++;
    const now = this.active.get(user) ?? 0;
    if (now > 0) {
      this.stats.overlaps++;
      if (this.stats.overlappingUsers.length < 20) this.stats.overlappingUsers.push(user);
    }
    this.active.set(user, now + 1);
    this.stats.active++;
  }

  private logout(user: string): void {
    const now = this.active.get(user) ?? 0;
    if (now <= 1) this.active.delete(user);
    else this.active.set(user, now - 1);
    this.stats.active--;
  }
}

interface SessionHooks {
  login(user: string): void;
  logout(user: string): void;
  deleted(user: string): Set<string> | undefined;
  commit(user: string, uidls: string[]): void;
  command(): void;
  failed(): void;
}

/** One connection: RFC 1939 with CAPA, USER/PASS and AUTH PLAIN, every answer delayed. */
class LoadSession {
  private input: Buffer = Buffer.alloc(0);
  private readonly queue: Array<{ at: number; data: string | Buffer; end?: boolean }> = [];
  private timer: NodeJS.Timeout | undefined;
  private state: 'authorization' | 'plain-continue' | 'transaction' | 'closing' = 'authorization';
  private user: string | undefined;
  private maildrop: LoadMessage[] = [];
  private readonly marked = new Set<number>();
  private loggedIn = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: LoadServerOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.respond('+OK Dovecot ready.');
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(this.timer);
      this.logout();
    });
  }

  /** The session is over for its user once QUIT is answered or the connection is gone. */
  private logout(): void {
    if (!this.loggedIn) return;
    this.loggedIn = false;
    this.hooks.logout(this.user!);
  }

  private read(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    let lf: number;
    while ((lf = this.input.indexOf(0x0a)) !== -1) {
      const line = this.input.subarray(0, lf).toString('latin1').replace(/\r$/, '');
      this.input = this.input.subarray(lf + 1);
      if (this.state === 'closing') return;
      this.hooks.command();
      this.handle(line);
    }
    if (this.input.length > MAX_LINE) {
      this.respond('-ERR Line too long', true);
      this.state = 'closing';
    }
  }

  /** Sends `data` (a line without CRLF, or bytes as they are) `delayMs` after now, in order. */
  private respond(data: string | Buffer, end = false): void {
    this.queue.push({
      at: Date.now() + this.options.delayMs,
      data: typeof data === 'string' ? `${data}\r\n` : data,
      end,
    });
    if (!this.timer) this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, head.at - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { data, end } = this.queue.shift()!;
      if (end) {
        this.logout();
        this.socket.end(data);
        this.queue.length = 0;
        return;
      }
      this.socket.write(data);
    }
    this.arm();
  }

  private handle(line: string): void {
    if (this.state === 'plain-continue') {
      this.state = 'authorization';
      return line === '*' ? this.respond('-ERR Authentication aborted') : this.plain(line);
    }
    const [verb = '', ...args] = line.split(' ');
    const command = verb.toUpperCase();
    if (command === 'CAPA') return this.respond(CAPA);
    if (command === 'NOOP') return this.respond('+OK');
    if (command === 'QUIT') return this.quit();
    if (this.state === 'authorization') return this.authorization(command, args);
    return this.transaction(command, args);
  }

  private authorization(command: string, args: string[]): void {
    if (command === 'USER') {
      this.user = args[0];
      return this.respond('+OK');
    }
    if (command === 'PASS') return this.check(this.user, args.join(' '));
    if (command === 'AUTH' && args[0]?.toUpperCase() === 'PLAIN') {
      if (args[1] === undefined) {
        this.state = 'plain-continue';
        return this.respond('+ ');
      }
      return this.plain(args[1]);
    }
    this.respond('-ERR Unknown command.');
  }

  private plain(encoded: string): void {
    const [, user, password] = Buffer.from(encoded, 'base64').toString('utf8').split('\0');
    this.check(user, password ?? '');
  }

  private check(user: string | undefined, password: string): void {
    if (!user || !USER_NAME.test(user) || password !== this.options.password) {
      this.hooks.failed();
      this.user = undefined;
      return this.respond('-ERR [AUTH] Authentication failed.');
    }
    this.user = user;
    this.loggedIn = true;
    this.state = 'transaction';
    this.hooks.login(user);
    const gone = this.hooks.deleted(user);
    const count = messageCount(this.options.clock, user, Date.now());
    this.maildrop = [];
    for (let index = 1; index <= count; index++) {
      const message = messageOf(user, index);
      if (!gone?.has(message.uidl)) this.maildrop.push(message);
    }
    this.respond('+OK Logged in.');
  }

  /** The message numbered `arg` (from 1), unless it is not there or marked deleted. */
  private message(arg: string | undefined): LoadMessage | undefined {
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 1 || this.marked.has(n)) return undefined;
    return this.maildrop[n - 1];
  }

  private listing(line: (message: LoadMessage, n: number) => string, arg?: string): void {
    if (arg !== undefined) {
      const message = this.message(arg);
      return this.respond(message ? `+OK ${line(message, Number(arg))}` : '-ERR No such message.');
    }
    const lines = ['+OK'];
    this.maildrop.forEach((message, i) => {
      if (!this.marked.has(i + 1)) lines.push(line(message, i + 1));
    });
    lines.push('.');
    this.respond(lines.join('\r\n'));
  }

  private transaction(command: string, args: string[]): void {
    switch (command) {
      case 'STAT': {
        const kept = this.maildrop.filter((_, i) => !this.marked.has(i + 1));
        const bytes = kept.reduce((sum, m) => sum + m.bytes.length, 0);
        return this.respond(`+OK ${kept.length} ${bytes}`);
      }
      case 'LIST':
        return this.listing((m, n) => `${n} ${m.bytes.length}`, args[0]);
      case 'UIDL':
        return this.listing((m, n) => `${n} ${m.uidl}`, args[0]);
      case 'RETR':
      case 'TOP': {
        const message = this.message(args[0]);
        if (!message) return this.respond('-ERR No such message.');
        const bytes =
          command === 'RETR' ? message.bytes : topOfMessage(message.bytes, Number(args[1] ?? 0));
        return this.respond(
          Buffer.concat([Buffer.from(`+OK ${bytes.length} octets\r\n`), dotStuff(bytes)]),
        );
      }
      case 'DELE': {
        if (!this.message(args[0])) return this.respond('-ERR No such message.');
        this.marked.add(Number(args[0]));
        return this.respond('+OK Marked to be deleted.');
      }
      case 'RSET':
        this.marked.clear();
        return this.respond('+OK');
      default:
        return this.respond('-ERR Unknown command.');
    }
  }

  private quit(): void {
    if (this.state === 'transaction' && this.marked.size > 0) {
      this.hooks.commit(
        this.user!,
        [...this.marked].map((n) => this.maildrop[n - 1]!.uidl),
      );
    }
    this.state = 'closing';
    this.respond('+OK Logging out.', true);
  }
}
