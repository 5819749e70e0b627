import type { Readable } from 'node:stream';
import { authenticate, type AuthMethodName } from './auth/authenticate';
import type { Pop3Capabilities } from './capabilities';
import { capa } from './commands/capa';
import { dele } from './commands/dele';
import { expectOk, messageNumber, sendForLine } from './commands/exchange';
import { listAll, listOne, type MessageSize } from './commands/list';
import { noop } from './commands/noop';
import { quit, quitUnanswered } from './commands/quit';
import { retr, retrCommand } from './commands/retr';
import { rset } from './commands/rset';
import { stat, type MaildropStat } from './commands/stat';
import { stls } from './commands/stls';
import { top, topCommand } from './commands/top';
import { uidlAll, uidlOne, type MessageUid } from './commands/uidl';
import { utf8 } from './commands/utf8';
import { Pop3Connection } from './connection';
import { Pop3Error } from './errors';
import { fetchMany, type FetchManyOptions, type FetchManyResult } from './fetch-many';
import { parseGreeting, type Pop3Greeting } from './greeting';
import {
  resolveOptions,
  type Pop3AuthOptions,
  type Pop3ConnectOptions,
  type ResolvedOptions,
} from './options';
import { StreamedResponse } from './protocol/streamed-response';
import { buildServerInfo, type Pop3ServerInfo } from './server-info';
import type { Pop3TlsInfo } from './transport/certificate';
import { openTcp, startTls } from './transport/open-socket';
import { speaksImplicitTls, tlsExpectedMessage } from './transport/tls-probe';

/**
 * - "authorization": connected, not logged in.
 * - "transaction": logged in; commands may run.
 * - "needs-reset": a command failed on a healthy connection. Only rset() (which unmarks
 *   every DELE of this session) or destroy() are allowed, so a failure can never be
 *   followed by a QUIT that commits deletions nobody checked.
 * - "closed": after quit(), destroy(), or any failure of the connection itself.
 */
export type Pop3SessionState = 'authorization' | 'transaction' | 'needs-reset' | 'closed';

type OpenState = Exclude<Pop3SessionState, 'closed'>;

export class Pop3Client {
  private sessionState: OpenState;
  private currentCapabilities: Pop3Capabilities;
  private readonly capabilitiesBeforeAuth: Pop3Capabilities;
  private authMethod: AuthMethodName | null = null;
  private readonly marked = new Set<number>();
  private readonly running = new Set<Promise<unknown>>();

  private constructor(
    private readonly connection: Pop3Connection,
    private readonly options: ResolvedOptions,
    /** The server's greeting, with the APOP timestamp if any. */
    readonly greeting: Pop3Greeting,
    capabilities: Pop3Capabilities,
    /** Whether the clear-text CAPA offered STLS (the one after the upgrade no longer does). */
    private readonly stlsOffered: boolean,
  ) {
    this.sessionState = 'authorization';
    this.currentCapabilities = capabilities;
    this.capabilitiesBeforeAuth = capabilities;
  }

  /**
   * Connects, reads the greeting and capabilities, upgrades with STLS when asked, turns on
   * UTF-8 mode when offered, and logs in when `auth` is given. Any failure drops the
   * connection and rejects with a Pop3Error.
   */
  static async connect(input: Pop3ConnectOptions): Promise<Pop3Client> {
    const options = resolveOptions(input);
    const target = {
      host: options.host,
      port: options.port,
      ...(options.address ? { address: options.address } : {}),
    };
    const dial = {
      timeoutMs: options.connectMs,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    let connection: Pop3Connection;
    if (options.security === 'tls') {
      const secure = await startTls(target, options.tls, dial);
      connection = new Pop3Connection(
        secure.socket,
        secure.info,
        target,
        connectionSettings(options),
      );
    } else {
      const socket = await openTcp(target, dial);
      connection = new Pop3Connection(socket, null, target, connectionSettings(options));
    }

    try {
      const greetingLine =
        options.security === 'tls'
          ? await readGreeting(connection, options.greetingMs)
          : await readPlainGreeting(connection, options);
      let capabilities = await capa(connection);
      const stlsOffered = capabilities.stls;
      if (options.security === 'starttls') {
        if (capabilities.capaSupported && !capabilities.stls) {
          throw new Pop3Error(
            'STLS_UNAVAILABLE',
            `${options.host} does not offer STLS; refusing to continue without TLS`,
          );
        }
        await stls(connection);
        await connection.upgradeToTls(options.tls);
        // RFC 2595 section 4: capabilities learned before TLS must be forgotten.
        capabilities = await capa(connection);
      }
      if (options.utf8 && capabilities.utf8) await utf8(connection);
      const client = new Pop3Client(connection, options, greetingLine, capabilities, stlsOffered);
      if (options.auth) await client.authenticate(options.auth);
      return client;
    } catch (error) {
      connection.destroy(error instanceof Pop3Error ? error : undefined);
      throw error;
    }
  }

  /** Capabilities as last read (after login, when logged in). */
  get capabilities(): Pop3Capabilities {
    return this.currentCapabilities;
  }

  /** Certificate and cipher of the TLS session, or null without TLS. */
  get tls(): Pop3TlsInfo | null {
    return this.connection.tls;
  }

  get state(): Pop3SessionState {
    return this.connection.closed ? 'closed' : this.sessionState;
  }

  /** Why the session closed, once it has. */
  get closeReason(): Pop3Error | null {
    return this.connection.closeReason;
  }

  /** The mechanism used to log in, or null before login. */
  get authenticatedWith(): AuthMethodName | null {
    return this.authMethod;
  }

  /** Whether commands are pipelined on this connection. */
  get pipelining(): boolean {
    return this.connection.pipelining;
  }

  /** Messages marked with DELE in this session, which a successful QUIT would remove. */
  get markedForDeletion(): number[] {
    return [...this.marked].sort((a, b) => a - b);
  }

  serverInfo(): Pop3ServerInfo {
    return buildServerInfo({
      host: this.options.host,
      port: this.options.port,
      address: this.connection.remoteAddress ?? this.options.address ?? null,
      security: this.options.security,
      greeting: this.greeting,
      capabilitiesBeforeAuth: this.capabilitiesBeforeAuth,
      capabilities: this.currentCapabilities,
      authenticatedWith: this.authMethod,
      stlsOffered: this.stlsOffered,
      tls: this.connection.tls,
    });
  }

  /** Logs in, for a session opened without `auth`. */
  async authenticate(auth: Pop3AuthOptions): Promise<void> {
    this.requireState(['authorization'], 'authenticate');
    try {
      this.authMethod = await authenticate(
        {
          connection: this.connection,
          capabilities: this.currentCapabilities,
          greeting: this.greeting,
          host: this.options.host,
          port: this.options.port,
        },
        auth,
      );
    } catch (error) {
      // A failed login leaves nothing worth keeping, and retrying with the same secret hammers the server.
      this.connection.destroy(error instanceof Pop3Error ? error : undefined);
      throw error;
    }
    this.sessionState = 'transaction';
    // RFC 2449 section 5: capabilities may change after login. Asked again only when that can
    // matter (a round trip per check otherwise): values announced per user (LOGIN-DELAY, EXPIRE
    // with USER), or no PIPELINING offered before login (some servers offer it only after).
    const before = this.currentCapabilities;
    if (before.capaSupported && (before.perUserValues || !before.pipelining)) {
      const afterLogin = await this.transaction(() => capa(this.connection));
      if (afterLogin.capaSupported) this.currentCapabilities = afterLogin;
    }
    this.connection.pipelining = this.options.pipelining && this.currentCapabilities.pipelining;
  }

  stat(): Promise<MaildropStat> {
    return this.transaction(() => stat(this.connection));
  }

  /** LIST: sizes of all messages, or of one. Sizes are the server's estimate. */
  list(): Promise<MessageSize[]>;
  list(number: number): Promise<MessageSize>;
  list(number?: number): Promise<MessageSize[] | MessageSize> {
    return this.transaction<MessageSize[] | MessageSize>(() =>
      number === undefined ? listAll(this.connection) : listOne(this.connection, number),
    );
  }

  /** UIDL: unique ids of all messages, or of one. */
  uidl(): Promise<MessageUid[]>;
  uidl(number: number): Promise<MessageUid>;
  uidl(number?: number): Promise<MessageUid[] | MessageUid> {
    return this.transaction<MessageUid[] | MessageUid>(() =>
      number === undefined ? uidlAll(this.connection) : uidlOne(this.connection, number),
    );
  }

  /** RETR: the message as one Buffer, byte for byte as stored. */
  retr(number: number): Promise<Buffer> {
    return this.transaction(() => retr(this.connection, number));
  }

  /** RETR as a stream, for messages too large to hold; reading slowly slows the socket. */
  retrStream(number: number): Readable {
    return this.stream(retrCommand(number));
  }

  /** TOP: header, blank line and the first `lines` lines of the body. */
  top(number: number, lines: number): Promise<Buffer> {
    return this.transaction(() => top(this.connection, number, lines));
  }

  /** TOP as a stream. */
  topStream(number: number, lines: number): Readable {
    return this.stream(topCommand(number, lines));
  }

  /**
   * Fetches many messages, pipelined when the server allows. Never rejects because of the
   * server or the connection: the result says what was fetched, what was not, and why.
   * Rejects only with the error onMessage threw. After any failure the session needs
   * rset() or destroy(), as after any other failed command.
   */
  async fetchMany(numbers: readonly number[], options: FetchManyOptions): Promise<FetchManyResult> {
    this.requireState(['transaction'], 'fetchMany');
    const window = this.connection.pipelining ? (options.window ?? this.options.pipelineWindow) : 1;
    const work = fetchMany(this.connection, numbers, options, Math.max(1, Math.floor(window)));
    this.track(work);
    const outcome = await work;
    if (outcome.error) this.noteFailure();
    if (outcome.callbackError) {
      if (!this.connection.closed) this.sessionState = 'needs-reset';
      throw outcome.callbackError.error;
    }
    const { fetched, notFetched, error, cutOff } = outcome;
    return {
      fetched,
      notFetched,
      ...(error ? { error } : {}),
      ...(cutOff ? { cutOff } : {}),
    };
  }

  /** DELE: marks a message for removal at QUIT. */
  async dele(number: number): Promise<void> {
    messageNumber(number);
    await this.transaction(() => dele(this.connection, number));
    this.marked.add(number);
  }

  /**
   * Marks many messages, pipelined when the server allows. Stops sending at the first
   * failure and rejects with it (the session then needs rset() or destroy()).
   */
  async deleMany(numbers: readonly number[]): Promise<void> {
    numbers.forEach(messageNumber);
    const window = this.connection.pipelining ? this.options.pipelineWindow : 1;
    await this.transaction(() =>
      runWindowed(numbers, window, async (number) => {
        await dele(this.connection, number);
        this.marked.add(number);
      }),
    );
  }

  /** RSET: unmarks every DELE of this session; the way back after a failed command. */
  async rset(): Promise<void> {
    this.requireState(['transaction', 'needs-reset'], 'rset');
    await this.settle();
    await this.guarded(() => rset(this.connection));
    this.marked.clear();
    this.sessionState = 'transaction';
  }

  async noop(): Promise<void> {
    await this.transaction(() => noop(this.connection));
  }

  /**
   * QUIT: commits the DELE marks (the server removes them) and closes. Only allowed when
   * nothing has failed since the last RSET. Resolves only on the server's +OK; any other
   * outcome rejects, and the marks may or may not have been applied.
   */
  async quit(): Promise<void> {
    this.requireState(['authorization', 'transaction'], 'quit');
    await this.settle();
    this.requireState(['authorization', 'transaction'], 'quit');
    await quit(this.connection);
    this.marked.clear();
  }

  /**
   * QUIT for a session that marked nothing, without waiting for the server's answer (it could tell
   * nothing: there is no mark to apply), so the session ends a round trip sooner. Refused
   * (INVALID_STATE) while messages are marked: their removal needs quit() and its +OK.
   */
  async leave(): Promise<void> {
    this.requireState(['authorization', 'transaction'], 'quit');
    await this.settle();
    this.requireState(['authorization', 'transaction'], 'quit');
    if (this.marked.size > 0) {
      throw new Pop3Error(
        'INVALID_STATE',
        'Messages are marked for deletion: QUIT must be answered (quit)',
      );
    }
    quitUnanswered(this.connection);
  }

  /** Drops the connection without QUIT: nothing marked in this session is removed. */
  destroy(): void {
    this.connection.destroy();
  }

  /** Like destroy(), and resolves once the socket is closed. */
  close(): Promise<void> {
    this.connection.destroy();
    return this.connection.whenClosed();
  }

  private stream(command: string): Readable {
    this.requireState(['transaction'], command.split(' ')[0]!);
    const response = new StreamedResponse(this.connection, command, () => this.noteFailure());
    this.connection.request(command, response);
    this.track(response.done);
    return response.stream;
  }

  /** Runs a TRANSACTION-state command; a failure moves the session to needs-reset. */
  private async transaction<T>(run: () => Promise<T>): Promise<T> {
    // Checked before the first await, so the state is the one at call time.
    this.requireState(['transaction'], 'this command');
    return this.guarded(run);
  }

  private async guarded<T>(run: () => Promise<T>): Promise<T> {
    const work = run();
    this.track(work);
    try {
      return await work;
    } catch (error) {
      if (error instanceof Pop3Error) this.noteFailure();
      throw error;
    }
  }

  /** Any failed command, on a connection that is still up, leaves the session needing RSET. */
  private noteFailure(): void {
    if (!this.connection.closed && this.sessionState === 'transaction') {
      this.sessionState = 'needs-reset';
    }
  }

  private track(work: Promise<unknown>): void {
    this.running.add(work);
    const forget = (): void => {
      this.running.delete(work);
    };
    work.then(forget, forget);
  }

  /** Waits until every command already issued has its answer. */
  private async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private requireState(allowed: OpenState[], what: string): void {
    const state = this.state;
    if (state !== 'closed' && allowed.includes(state)) return;
    const reason = this.connection.closeReason;
    const detail =
      state === 'closed'
        ? `the session is closed${reason ? ` (${reason.message})` : ''}`
        : state === 'needs-reset'
          ? 'an earlier command failed; call rset() to undo this session, or destroy() to drop it'
          : state === 'authorization'
            ? 'the session is not logged in'
            : `the session is ${state}`;
    throw new Pop3Error('INVALID_STATE', `Cannot run ${what}: ${detail}`, {
      ...(reason && state === 'closed' ? { cause: reason } : {}),
    });
  }
}

/** Runs `task` over `items` with at most `window` running; stops starting new ones after a failure. */
async function runWindowed<T>(
  items: readonly T[],
  window: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker));
  if (failure) throw failure.error;
}

function connectionSettings(options: ResolvedOptions) {
  return {
    commandTimeoutMs: options.commandMs,
    idleTimeoutMs: options.idleMs,
    connectTimeoutMs: options.connectMs,
    maxLineBytes: options.maxLineBytes,
    maxMessageBytes: options.maxMessageBytes,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
}

async function readGreeting(connection: Pop3Connection, timeoutMs: number): Promise<Pop3Greeting> {
  const status = await sendForLine(connection, null, { timeoutMs });
  return parseGreeting(expectOk(status, 'greeting'));
}

/** How long a plain connection may stay silent before the port is asked whether it wants TLS. */
const TLS_PROBE_AFTER_MS = 2_000;

/**
 * The greeting on a plain connection (STLS or none). A port that expects TLS from the start
 * (995 chosen with STARTTLS) stays silent: if no greeting came after a moment, a TLS hello on a
 * second connection tells such a port apart from a slow server, and the session ends at once with
 * TLS_EXPECTED instead of waiting for the greeting's timeout.
 */
async function readPlainGreeting(
  connection: Pop3Connection,
  options: ResolvedOptions,
): Promise<Pop3Greeting> {
  const probe = new AbortController();
  const probeAfter = Math.min(TLS_PROBE_AFTER_MS, options.greetingMs / 2);
  const timer = setTimeout(() => {
    void speaksImplicitTls(connection.target, options.greetingMs, probe.signal).then((tls) => {
      if (tls && !probe.signal.aborted) {
        connection.destroy(new Pop3Error('TLS_EXPECTED', tlsExpectedMessage(connection.target)));
      }
    });
  }, probeAfter);
  try {
    return await readGreeting(connection, options.greetingMs);
  } finally {
    clearTimeout(timer);
    probe.abort();
  }
}
