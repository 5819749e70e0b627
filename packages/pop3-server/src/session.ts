import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import {
  apopDigest,
  createSaslExchange,
  decodeBase64,
  uniqueTimestamp,
  type SaslExchange,
  type SaslStep,
  type UserDirectory,
} from './auth';
import { capabilityLines } from './capabilities';
import type { FaultQueue } from './faults';
import { LineReader, type InputLine } from './line-reader';
import { SessionMailbox, type MailboxStore, type StoredMessage } from './mailbox';
import { topOfMessage } from './message-encoding';
import type { ResolvedCapabilities } from './options';
import { literalStatus, ResponseWriter } from './responses';
import type { Pop3ServerStats } from './stats';

/** What every session of one server shares. */
export interface SessionEnvironment {
  capabilities: ResolvedCapabilities;
  users: UserDirectory;
  store: MailboxStore;
  faults: FaultQueue;
  stats: Pop3ServerStats;
  greeting: string;
  stls: boolean;
  secureContext?: SecureContext;
  enforceLoginDelay: boolean;
  /** username -> time of the last successful login, for LOGIN-DELAY. */
  lastLogins: Map<string, number>;
  maxLineLength: number;
  maxSaslLineLength: number;
}

type State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

interface Reply {
  bytes: Buffer;
  after?: 'close' | 'stls';
}

const DEFAULT_GARBAGE = 'HTTP/1.1 400 Bad Request';

/** One POP3 connection: the RFC 1939 state machine plus the faults aimed at it. */
export class Pop3Session {
  private state: State = 'AUTHORIZATION';
  private readonly reader: LineReader;
  private readonly respond: ResponseWriter;
  private queue: InputLine[] = [];
  private pumping = false;
  /** Stalled, streaming forever or closing: no further input is answered. */
  private silent = false;
  private closed = false;
  private pendingUser: string | undefined;
  private readonly apopTimestamp: string | undefined;
  private sasl: SaslExchange | undefined;
  private username: string | undefined;
  private holdsLock = false;
  private mailbox: SessionMailbox | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.finish();

  constructor(
    readonly number: number,
    private socket: Socket,
    private secure: boolean,
    private readonly env: SessionEnvironment,
    private readonly whenClosed: () => void,
  ) {
    this.reader = new LineReader(env.maxSaslLineLength);
    this.respond = new ResponseWriter(env.capabilities);
    this.apopTimestamp = env.capabilities.apop ? uniqueTimestamp() : undefined;
    this.listen(socket);
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    // Resets and TLS failures end the session through 'close'.
    socket.on('error', () => undefined);
  }

  start(): void {
    const fault = this.env.faults.takeGreeting(this.number);
    if (fault) {
      this.silent = true;
      this.socket.end(literalStatus(fault.text));
      return;
    }
    const timestamp = this.apopTimestamp ? ` ${this.apopTimestamp}` : '';
    void this.write(this.respond.ok(`${this.env.greeting}${timestamp}`));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    // A connection that ends without QUIT never reaches UPDATE: its DELE marks are dropped.
    this.releaseLock();
    this.whenClosed();
  }

  private releaseLock(): void {
    if (this.holdsLock && this.username !== undefined) this.env.store.unlock(this.username);
    this.holdsLock = false;
  }

  private receive(chunk: Buffer): void {
    if (this.silent) return;
    this.queue.push(...this.reader.push(chunk));
    void this.pump();
  }

  /** Answers queued lines strictly one after another: pipelined commands keep their order. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.silent && !this.closed) {
        await this.handle(this.queue.shift() as InputLine);
      }
    } finally {
      this.pumping = false;
    }
  }

  private write(bytes: Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    if (this.socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private async handle(input: InputLine): Promise<void> {
    if (input.kind === 'too-long') {
      this.sasl = undefined;
      await this.write(this.respond.err('Line too long'));
      return;
    }
    const line = input.bytes.toString('utf8');
    this.env.stats.commands.push({ session: this.number, line });
    if (this.sasl) {
      await this.write(this.continueSasl(line));
      return;
    }
    const space = line.indexOf(' ');
    const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const rest = space === -1 ? '' : line.slice(space + 1);
    if (input.bytes.length > this.env.maxLineLength && keyword !== 'AUTH') {
      await this.write(this.respond.err('Line too long'));
      return;
    }
    const args = rest === '' ? [] : rest.split(' ');
    const first = args[0];
    const msg = first !== undefined && /^\d+$/.test(first) ? Number(first) : undefined;

    const fault = this.env.faults.takeForCommand(this.number, keyword, msg);
    if (fault?.kind === 'err') return this.write(literalStatus(fault.text));
    if (fault?.kind === 'garbage') {
      return this.write(Buffer.from(`${fault.line ?? DEFAULT_GARBAGE}\r\n`, 'utf8'));
    }
    if (fault?.kind === 'endless') return this.streamForever(keyword);

    const reply = this.execute(keyword, args, rest);
    if (fault?.kind === 'drop-after-bytes') {
      this.silent = true;
      this.socket.end(reply.bytes.subarray(0, fault.bytes));
      return;
    }
    if (fault?.kind === 'stall') {
      // The command did happen; only its answer stops short, and nothing follows.
      this.silent = true;
      await this.write(reply.bytes.subarray(0, fault.afterBytes ?? 0));
      return;
    }
    if (fault?.kind === 'drip')
      await this.drip(reply.bytes, fault.bytes ?? 1, fault.everyMs ?? 1000);
    else if (reply.after === 'stls') return this.upgradeToTls(reply.bytes);
    else await this.write(reply.bytes);
    if (reply.after === 'close') {
      this.silent = true;
      this.socket.end();
    }
  }

  private execute(keyword: string, args: string[], rest: string): Reply {
    if (keyword === 'CAPA') return this.capa();
    if (keyword === 'QUIT') return this.quit();
    if (this.state === 'AUTHORIZATION') {
      switch (keyword) {
        case 'USER':
          return this.user(rest);
        case 'PASS':
          return this.pass(rest);
        case 'APOP':
          return this.apop(args);
        case 'AUTH':
          return this.auth(args);
        case 'STLS':
          return this.stls();
        case 'UTF8':
          return this.utf8();
      }
    } else if (this.state === 'TRANSACTION') {
      switch (keyword) {
        case 'STAT':
          return this.stat();
        case 'LIST':
          return this.list(args);
        case 'UIDL':
          return this.uidl(args);
        case 'RETR':
          return this.retr(args);
        case 'TOP':
          return this.top(args);
        case 'DELE':
          return this.dele(args);
        case 'RSET':
          return this.rset();
        case 'NOOP':
          return { bytes: this.respond.ok('') };
      }
    }
    return { bytes: this.respond.err(`${keyword || 'Empty command'} not valid here`) };
  }

  // ---- AUTHORIZATION ----

  private capa(): Reply {
    if (!this.env.capabilities.capa) return { bytes: this.respond.err('Unknown command') };
    const lines = capabilityLines(this.env.capabilities, {
      stlsAvailable: this.stlsAvailable(),
      authenticated: this.state !== 'AUTHORIZATION',
    });
    return { bytes: this.respond.listing('Capability list follows', ['CAPA', ...lines]) };
  }

  private stlsAvailable(): boolean {
    return this.env.stls && !this.secure && this.env.secureContext !== undefined;
  }

  private user(name: string): Reply {
    if (!this.env.capabilities.user) return { bytes: this.respond.err('USER not supported') };
    if (name === '') return { bytes: this.respond.err('USER needs a name') };
    this.pendingUser = name;
    return { bytes: this.respond.ok('Send PASS') };
  }

  private pass(password: string): Reply {
    const username = this.pendingUser;
    this.pendingUser = undefined;
    if (!this.env.capabilities.user || username === undefined) {
      return { bytes: this.respond.err('Send USER first') };
    }
    return this.login(username, this.env.users.checkPassword(username, password));
  }

  private apop(args: string[]): Reply {
    const [name, digest] = args;
    if (!this.apopTimestamp) return { bytes: this.respond.err('APOP not supported') };
    if (name === undefined || digest === undefined || args.length !== 2) {
      return { bytes: this.respond.err('APOP needs a name and a digest') };
    }
    const user = this.env.users.get(name);
    const valid =
      user !== undefined && apopDigest(this.apopTimestamp, user.password) === digest.toLowerCase();
    return this.login(name, valid);
  }

  private auth(args: string[]): Reply {
    const [name, initial] = args;
    const offered = this.env.capabilities.sasl;
    if (name === undefined) return { bytes: this.respond.listing('Mechanisms follow', offered) };
    const mechanism = name.toUpperCase();
    const exchange = offered.includes(mechanism)
      ? createSaslExchange(mechanism, this.env.users)
      : undefined;
    if (!exchange) return { bytes: this.respond.err(`Unsupported mechanism ${mechanism}`) };
    let decoded: Buffer | undefined;
    if (initial !== undefined) {
      decoded = decodeBase64(initial);
      if (!decoded) return this.login(undefined, false);
    }
    return this.saslStep(exchange, exchange.start(decoded));
  }

  private continueSasl(line: string): Buffer {
    const exchange = this.sasl as SaslExchange;
    this.sasl = undefined;
    if (line === '*') return this.respond.err('Authentication cancelled');
    const decoded = decodeBase64(line);
    if (!decoded) return this.login(undefined, false).bytes;
    return this.saslStep(exchange, exchange.respond(decoded)).bytes;
  }

  private saslStep(exchange: SaslExchange, step: SaslStep): Reply {
    if (step.kind === 'challenge') {
      this.sasl = exchange;
      return { bytes: this.respond.continuation(step.base64) };
    }
    return this.login(step.username, step.kind === 'success');
  }

  private stls(): Reply {
    if (!this.stlsAvailable()) return { bytes: this.respond.err('STLS not available') };
    return { bytes: this.respond.ok('Begin TLS negotiation'), after: 'stls' };
  }

  private utf8(): Reply {
    if (!this.env.capabilities.utf8) return { bytes: this.respond.err('UTF8 not supported') };
    return { bytes: this.respond.ok('UTF8 enabled') };
  }

  /** Every way of logging in ends here, after its credentials were checked. */
  private login(username: string | undefined, credentialsValid: boolean): Reply {
    const { faults, stats, store, capabilities, lastLogins } = this.env;
    const fault = faults.takeAuth(this.number);
    if (fault) {
      stats.authFailures += 1;
      return {
        bytes: this.respond.err(fault.text ?? 'Authentication refused', fault.code ?? 'AUTH'),
      };
    }
    if (!credentialsValid || username === undefined) {
      stats.authFailures += 1;
      return { bytes: this.respond.err('Authentication failed', 'AUTH') };
    }
    const delay = capabilities.loginDelay;
    const last = lastLogins.get(username);
    if (this.env.enforceLoginDelay && delay !== undefined && last !== undefined) {
      if (Date.now() - last < delay * 1000) {
        return { bytes: this.respond.err('Logged in too recently', 'LOGIN-DELAY') };
      }
    }
    if (!store.lock(username)) {
      return { bytes: this.respond.err('Mailbox is locked by another POP3 session', 'IN-USE') };
    }
    this.holdsLock = true;
    this.username = username;
    this.state = 'TRANSACTION';
    this.mailbox = new SessionMailbox(
      [...store.messages(username)],
      faults.takeWrongSizes(this.number),
    );
    lastLogins.set(username, Date.now());
    stats.logins += 1;
    const count = this.mailbox.live().length;
    return {
      bytes: this.respond.ok(`Logged in, ${count} messages (${this.mailbox.totalSize()} octets)`),
    };
  }

  // ---- TRANSACTION ----

  private get box(): SessionMailbox {
    return this.mailbox as SessionMailbox;
  }

  /** The message an argument names, or the -ERR to send instead. */
  private resolve(arg: string | undefined): { number: number; message: StoredMessage } | Reply {
    if (arg === undefined || !/^\d+$/.test(arg)) {
      return { bytes: this.respond.err('Message number required') };
    }
    const number = Number(arg);
    const found = this.box.lookup(number);
    if (found === 'no such message') return { bytes: this.respond.err('No such message') };
    if (found === 'deleted')
      return { bytes: this.respond.err(`Message ${number} already deleted`) };
    return { number, message: found };
  }

  private stat(): Reply {
    return { bytes: this.respond.ok(`${this.box.live().length} ${this.box.totalSize()}`) };
  }

  private list(args: string[]): Reply {
    if (args.length > 0) {
      const found = this.resolve(args[0]);
      if ('bytes' in found) return found;
      return { bytes: this.respond.ok(`${found.number} ${this.box.size(found.number)}`) };
    }
    const live = this.box.live();
    return {
      bytes: this.respond.listing(
        `${live.length} messages (${this.box.totalSize()} octets)`,
        live.map((number) => `${number} ${this.box.size(number)}`),
      ),
    };
  }

  private uidl(args: string[]): Reply {
    if (!this.env.capabilities.uidl) return { bytes: this.respond.err('UIDL not supported') };
    if (args.length > 0) {
      const found = this.resolve(args[0]);
      if ('bytes' in found) return found;
      return { bytes: this.respond.ok(`${found.number} ${found.message.uidl}`) };
    }
    const live = this.box.live();
    return {
      bytes: this.respond.listing(
        'Unique-ID listing follows',
        live.map((number) => `${number} ${this.box.messages[number - 1]?.uidl}`),
      ),
    };
  }

  private retr(args: string[]): Reply {
    const found = this.resolve(args[0]);
    if ('bytes' in found) return found;
    return {
      bytes: this.respond.multiline(
        `${this.box.size(found.number)} octets`,
        found.message.delivered,
      ),
    };
  }

  private top(args: string[]): Reply {
    if (!this.env.capabilities.top) return { bytes: this.respond.err('TOP not supported') };
    const found = this.resolve(args[0]);
    if ('bytes' in found) return found;
    const lines = args[1];
    if (lines === undefined || !/^\d+$/.test(lines)) {
      return { bytes: this.respond.err('TOP needs a number of lines') };
    }
    return {
      bytes: this.respond.multiline(
        'Top of message follows',
        topOfMessage(found.message.delivered, Number(lines)),
      ),
    };
  }

  private dele(args: string[]): Reply {
    const found = this.resolve(args[0]);
    if ('bytes' in found) return found;
    this.box.markDeleted(found.number);
    return { bytes: this.respond.ok(`Message ${found.number} deleted`) };
  }

  private rset(): Reply {
    this.box.unmarkAll();
    return {
      bytes: this.respond.ok(
        `Maildrop has ${this.box.live().length} messages (${this.box.totalSize()} octets)`,
      ),
    };
  }

  // ---- QUIT and UPDATE ----

  private quit(): Reply {
    const { stats, store } = this.env;
    stats.quits += 1;
    if (this.state !== 'TRANSACTION' || this.username === undefined) {
      return { bytes: this.respond.ok('Bye'), after: 'close' };
    }
    this.state = 'UPDATE';
    const gone = this.box.markedMessages();
    store.remove(this.username, gone);
    stats.updateStates += 1;
    stats.deletedMessages += gone.size;
    if (gone.size > 0) stats.updates += 1;
    this.releaseLock();
    const left = store.messages(this.username).length;
    return { bytes: this.respond.ok(`Bye, ${gone.size} deleted, ${left} left`), after: 'close' };
  }

  // ---- faults and STLS ----

  /** "+OK" and then lines that never end, as fast as the client reads them. */
  private async streamForever(keyword: string): Promise<void> {
    this.silent = true;
    await this.write(this.respond.ok('Listing follows'));
    let n = 1;
    while (!this.closed && !this.socket.destroyed) {
      const lines: string[] = [];
      for (let i = 0; i < 256; i++, n++) {
        lines.push(
          keyword === 'LIST'
            ? `${n} ${1000 + (n % 997)}`
            : keyword === 'UIDL'
              ? `${n} endless-${n}`
              : `This line ${n} belongs to a message that never ends.`,
        );
      }
      await this.write(Buffer.from(`${lines.join('\r\n')}\r\n`));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Sends `bytes` a few at a time; stops when the connection closes. */
  private async drip(bytes: Buffer, step: number, everyMs: number): Promise<void> {
    for (let sent = 0; sent < bytes.length && !this.closed && !this.socket.destroyed;) {
      await this.write(bytes.subarray(sent, sent + step));
      sent += step;
      if (sent < bytes.length) await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  /**
   * RFC 2595: after "+OK" the next bytes are the TLS handshake; whatever the client sent
   * behind STLS in clear text is thrown away, never read as commands.
   */
  private upgradeToTls(reply: Buffer): void {
    const plain = this.socket;
    plain.off('data', this.onData);
    this.queue = [];
    this.reader.discardAll();
    // Nothing learnt from the client in clear text survives the upgrade (RFC 2595 section 4).
    this.pendingUser = undefined;
    plain.write(reply);
    const secure = new TLSSocket(plain, {
      isServer: true,
      secureContext: this.env.secureContext,
    });
    this.socket = secure;
    this.secure = true;
    this.listen(secure);
  }
}
