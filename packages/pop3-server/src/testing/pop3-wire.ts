import { connect as connectPlain, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';

const TERMINATOR = Buffer.from('.\r\n');

/** A minimal POP3 speaker over a raw socket, so these tests rely on nothing but Node. */
export class Pop3Wire {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closed = false;
  greeting = '';

  private constructor(private socket: Socket) {
    this.attach(socket);
  }

  static async connect(options: { host: string; port: number; caPem?: string }): Promise<Pop3Wire> {
    const socket = options.caPem
      ? connectTls({
          host: options.host,
          port: options.port,
          ca: options.caPem,
          servername: 'localhost',
        })
      : connectPlain({ host: options.host, port: options.port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.caPem ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const wire = new Pop3Wire(socket);
    wire.greeting = await wire.readLine();
    return wire;
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  get socketClosed(): boolean {
    return this.closed;
  }

  get tlsSocket(): TLSSocket {
    return this.socket as TLSSocket;
  }

  async readLine(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Body lines up to the lone '.', dot-unstuffed, each with its line ending. Lines end at
   * every LF, bare ones included, the way tolerant clients read them.
   */
  async readMultiline(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\n');
      if (end === -1) {
        if (this.closed) throw new Error('connection closed');
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      let line = this.buffer.subarray(0, end + 1);
      this.buffer = this.buffer.subarray(end + 1);
      if (line.equals(TERMINATOR)) return Buffer.concat(parts);
      if (line[0] === 0x2e) line = line.subarray(1);
      parts.push(line);
    }
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async command(line: string): Promise<string> {
    this.send(line);
    return this.readLine();
  }

  /** Sends a command whose +OK answer is followed by a multi-line body. */
  async multiline(line: string): Promise<{ status: string; body: Buffer }> {
    const status = await this.command(line);
    if (!status.startsWith('+OK')) return { status, body: Buffer.alloc(0) };
    return { status, body: await this.readMultiline() };
  }

  async startTls(caPem: string): Promise<string> {
    const answer = await this.command('STLS');
    if (answer.startsWith('+OK')) await this.startTlsAfterOk(caPem);
    return answer;
  }

  /** The TLS handshake, once the server has said +OK to STLS. */
  async startTlsAfterOk(caPem: string): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = connectTls({ socket: this.socket, ca: caPem, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.buffer = Buffer.alloc(0);
    this.attach(secure);
  }

  /** Everything received until the server closes the connection or `ms` pass. */
  async drain(ms: number): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const received = this.buffer;
    this.buffer = Buffer.alloc(0);
    return received;
  }

  /** Raw bytes, for clients that misbehave on purpose. */
  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  async waitForClose(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}
