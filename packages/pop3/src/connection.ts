import type net from 'node:net';
import { Pop3Error } from './errors';
import type { Pop3LogEntry } from './options';
import type { ResponseHandler } from './protocol/response-handler';
import { ResponseReader } from './protocol/response-reader';
import type { StatusLine } from './protocol/status-line';
import type { Pop3TlsInfo } from './transport/certificate';
import { startTls, type DialTarget, type TlsTrust } from './transport/open-socket';
import { sessionSocketError } from './transport/socket-errors';

export interface ConnectionSettings {
  commandTimeoutMs: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  maxLineBytes: number;
  maxMessageBytes: number;
  signal?: AbortSignal;
  log?: (entry: Pop3LogEntry) => void;
}

export interface RequestOptions {
  /** What to log instead of the line itself when it carries a secret. */
  logAs?: string;
  /** Overrides the command timeout, e.g. for the greeting. */
  timeoutMs?: number;
}

interface PendingRequest {
  line: string | null;
  logAs: string | null;
  handler: ResponseHandler;
  timeoutMs: number;
  written: boolean;
}

/**
 * One POP3 connection: the socket, the queue of responses still expected, and the
 * timers. It knows nothing about commands; it sends lines and routes each response to
 * the handler that asked for it, in order. Any failure (timeout, abort, broken protocol,
 * lost connection) destroys the socket and fails every pending handler: nothing is ever
 * sent after a failure, and in particular never a QUIT.
 */
export class Pop3Connection {
  private socket: net.Socket;
  private readonly reader: ResponseReader;
  private readonly pending: PendingRequest[] = [];
  private pendingHead = 0;
  private closedBy: Pop3Error | null = null;
  private readonly closeWaiters: Array<() => void> = [];
  private responseTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private pausedByConsumer = false;
  private corked = false;
  private tlsInfo: Pop3TlsInfo | null;
  /** When true, requests are written as soon as they are made; otherwise one at a time. */
  pipelining = false;

  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onError = (error: Error): void => this.fail(sessionSocketError(error));
  private readonly onEnd = (): void =>
    this.fail(new Pop3Error('CONNECTION_CLOSED', 'The server closed the connection'));
  private readonly onAbort = (): void =>
    this.fail(new Pop3Error('ABORTED', 'The session was aborted'));

  constructor(
    socket: net.Socket,
    tlsInfo: Pop3TlsInfo | null,
    readonly target: DialTarget,
    private readonly settings: ConnectionSettings,
  ) {
    this.socket = socket;
    this.tlsInfo = tlsInfo;
    this.reader = new ResponseReader(
      { maxLineBytes: settings.maxLineBytes, maxBodyBytes: settings.maxMessageBytes },
      {
        current: () => this.pending[this.pendingHead]?.handler,
        completed: () => this.completeHead(),
        observe: settings.log ? (line) => this.logReceived(line) : undefined,
      },
    );
    this.attach(socket);
    if (settings.signal) {
      if (settings.signal.aborted) this.onAbort();
      else settings.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get tls(): Pop3TlsInfo | null {
    return this.tlsInfo;
  }

  /** The IP address actually connected to. */
  get remoteAddress(): string | null {
    return this.socket.remoteAddress ?? null;
  }

  get isSecure(): boolean {
    return this.tlsInfo !== null;
  }

  get closed(): boolean {
    return this.closedBy !== null;
  }

  /** Why the connection ended, once it has. */
  get closeReason(): Pop3Error | null {
    return this.closedBy;
  }

  get maxMessageBytes(): number {
    return this.settings.maxMessageBytes;
  }

  /** Number of responses still expected. */
  get outstanding(): number {
    return this.pending.length - this.pendingHead;
  }

  /**
   * Sends `line` (or nothing, for the greeting) and routes its response to `handler`.
   * On a closed connection the handler fails right away.
   */
  request(line: string | null, handler: ResponseHandler, options: RequestOptions = {}): void {
    if (this.closedBy) {
      handler.fail(this.closedBy);
      return;
    }
    const request: PendingRequest = {
      line,
      logAs: options.logAs ?? null,
      handler,
      timeoutMs: options.timeoutMs ?? this.settings.commandTimeoutMs,
      written: false,
    };
    this.pending.push(request);
    this.stopIdleTimer();
    const isHead = this.outstanding === 1;
    if (isHead || this.pipelining) this.write(request);
    if (isHead) this.startResponseTimer();
  }

  /** Stops reading from the socket until `resumeReading` (a slow consumer). */
  pauseReading(): void {
    if (this.pausedByConsumer || this.closedBy) return;
    this.pausedByConsumer = true;
    this.socket.pause();
    this.stopResponseTimer();
  }

  resumeReading(): void {
    if (!this.pausedByConsumer || this.closedBy) return;
    this.pausedByConsumer = false;
    this.socket.resume();
    if (this.outstanding > 0) this.startResponseTimer();
  }

  /** From now until `upgradeToTls`, everything the server sends is thrown away. */
  discardIncoming(): void {
    this.reader.discardUntilRestart();
  }

  /** Runs the TLS handshake on the current socket, after a +OK to STLS. */
  async upgradeToTls(trust: TlsTrust): Promise<Pop3TlsInfo> {
    if (this.closedBy) throw this.closedBy;
    const plain = this.socket;
    this.detach(plain);
    // Keep failures of the plain socket visible until the TLS socket owns it.
    const onPlainError = (): void => {};
    plain.on('error', onPlainError);
    try {
      const secure = await startTls(
        this.target,
        trust,
        { timeoutMs: this.settings.connectTimeoutMs, signal: this.settings.signal },
        plain,
      );
      plain.off('error', onPlainError);
      this.socket = secure.socket;
      this.tlsInfo = secure.info;
      this.reader.restart();
      this.attach(secure.socket);
      if (this.closedBy) {
        secure.socket.destroy();
        throw this.closedBy;
      }
      return secure.info;
    } catch (error) {
      const failure = error instanceof Pop3Error ? error : sessionSocketError(error);
      this.fail(failure);
      throw failure;
    }
  }

  /** Ends the connection after a completed QUIT. */
  finish(): void {
    this.fail(new Pop3Error('INVALID_STATE', 'The session has ended (QUIT)'));
  }

  /**
   * Sends `line` as the session's last command and closes the connection behind it without
   * waiting for the answer (QUIT when nothing is marked: its answer could not change anything).
   * The socket is ended gracefully, so the line is delivered; one the server does not close is
   * dropped after the command timeout.
   */
  sendLast(line: string): void {
    if (this.closedBy) throw this.closedBy;
    if (this.outstanding > 0)
      throw new Pop3Error('INVALID_STATE', `${line} sent while answers are due`);
    if (this.settings.log) this.settings.log({ direction: 'send', line });
    const socket = this.close(new Pop3Error('INVALID_STATE', 'The session has ended (QUIT)'));
    // The answer is read and dropped, so that the socket closes as the server closes it.
    socket.on('data', () => {});
    const linger = setTimeout(() => socket.destroy(), this.settings.commandTimeoutMs);
    linger.unref();
    socket.once('close', () => {
      clearTimeout(linger);
      this.notifyClosed();
    });
    socket.end(`${line}\r\n`);
  }

  /** Drops the connection at once, without QUIT. */
  destroy(reason?: Pop3Error): void {
    this.fail(reason ?? new Pop3Error('INVALID_STATE', 'The session was closed without QUIT'));
  }

  /** Resolves once the socket is fully closed. */
  whenClosed(): Promise<void> {
    if (this.socket.destroyed && this.closedBy) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('end', this.onEnd);
    socket.off('close', this.onEnd);
  }

  private receive(chunk: Buffer): void {
    if (this.closedBy) return;
    this.responseTimer?.refresh();
    try {
      this.reader.feed(chunk);
    } catch (error) {
      this.fail(error instanceof Pop3Error ? error : sessionSocketError(error));
    }
  }

  private write(request: PendingRequest): void {
    request.written = true;
    if (request.line === null) return;
    if (this.settings.log) {
      this.settings.log({ direction: 'send', line: request.logAs ?? request.line });
    }
    // Requests made in the same tick leave in one segment (one TLS record when pipelining).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(`${request.line}\r\n`);
  }

  private completeHead(): void {
    if (this.closedBy) return;
    this.pending[this.pendingHead] = undefined as unknown as PendingRequest;
    this.pendingHead++;
    if (this.pendingHead === this.pending.length) {
      this.pending.length = 0;
      this.pendingHead = 0;
      this.stopResponseTimer();
      this.startIdleTimer();
      return;
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    const next = this.pending[this.pendingHead]!;
    if (!next.written) this.write(next);
    this.startResponseTimer();
  }

  private startResponseTimer(): void {
    this.stopResponseTimer();
    if (this.pausedByConsumer) return;
    const head = this.pending[this.pendingHead];
    if (!head) return;
    const what = head.line === null ? 'the greeting' : `an answer to ${head.logAs ?? head.line}`;
    this.responseTimer = setTimeout(() => {
      this.fail(
        new Pop3Error(
          'TIMEOUT',
          `The server sent nothing for ${head.timeoutMs} ms while waiting for ${what}`,
        ),
      );
    }, head.timeoutMs);
  }

  private stopResponseTimer(): void {
    if (this.responseTimer) clearTimeout(this.responseTimer);
    this.responseTimer = null;
  }

  private startIdleTimer(): void {
    this.stopIdleTimer();
    if (this.closedBy) return;
    this.idleTimer = setTimeout(() => {
      this.fail(
        new Pop3Error(
          'TIMEOUT',
          `The session was idle for ${this.settings.idleTimeoutMs} ms and was closed without QUIT`,
        ),
      );
    }, this.settings.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private logReceived(line: StatusLine): void {
    const indicator = line.kind === 'ok' ? '+OK' : line.kind === 'err' ? '-ERR' : '+';
    // SASL challenges may carry secrets (e.g. a CRAM-MD5 nonce is harmless, tokens are not).
    const text =
      line.kind === 'continue' ? (line.text ? ' ***' : '') : line.text ? ` ${line.text}` : '';
    this.settings.log!({ direction: 'receive', line: `${indicator}${text}` });
  }

  /** Marks the session closed for `error` and lets go of its socket, which it returns. */
  private close(error: Pop3Error): net.Socket {
    this.closedBy = error;
    this.stopResponseTimer();
    this.stopIdleTimer();
    this.settings.signal?.removeEventListener('abort', this.onAbort);
    const socket = this.socket;
    this.detach(socket);
    socket.on('error', () => {});
    return socket;
  }

  private fail(error: Pop3Error): void {
    if (this.closedBy) return;
    this.reader.discardUntilRestart();
    const socket = this.close(error);
    if (socket.destroyed) {
      this.notifyClosed();
    } else {
      socket.once('close', () => this.notifyClosed());
      socket.destroy();
    }
    const failed = this.pending.slice(this.pendingHead);
    this.pending.length = 0;
    this.pendingHead = 0;
    for (const request of failed) request.handler.fail(error);
  }

  private notifyClosed(): void {
    for (const waiter of this.closeWaiters.splice(0)) waiter();
  }
}
