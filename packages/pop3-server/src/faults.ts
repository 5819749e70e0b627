/** What can go wrong on demand. Each fault fires once unless `times` says otherwise. */
export type FaultKind =
  /** Sent instead of the greeting, then the connection closes ("-ERR " is added if missing). */
  | { kind: 'greeting-error'; text: string }
  /** The next authentication attempt fails with this code, whatever the credentials. */
  | {
      kind: 'auth-error';
      code?: 'AUTH' | 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM';
      text?: string;
    }
  /** The connection closes after this many bytes of the response (status line included). */
  | { kind: 'drop-after-bytes'; command: 'RETR' | 'TOP'; msg?: number; bytes: number }
  /** The server sends `afterBytes` bytes of the response (default 0) and then nothing, ever. */
  | { kind: 'stall'; command: string; msg?: number; afterBytes?: number }
  /**
   * The whole response, `bytes` at a time (default 1) every `everyMs` (default 1000): a server
   * that is never silent long enough for a timeout, yet never done. Later commands wait their turn.
   */
  | { kind: 'drip'; command: string; msg?: number; bytes?: number; everyMs?: number }
  /** A non-POP3 line instead of the response; the command is not carried out. */
  | { kind: 'garbage'; command: string; line?: string }
  /**
   * LIST, STAT and the RETR status line report `reportedSize` for message `msg` for a whole
   * session: the fault is taken when a session enters TRANSACTION.
   */
  | { kind: 'wrong-size'; msg: number; reportedSize: number }
  /** "+OK" and then lines forever, never the terminating dot. */
  | { kind: 'endless'; command: 'RETR' | 'TOP' | 'LIST' | 'UIDL'; msg?: number }
  /** -ERR for that command ("-ERR " is added if missing); the command is not carried out. */
  | { kind: 'err'; command: string; msg?: number; text: string };

export type Fault = FaultKind & {
  /** How many times it fires before it is used up. Default 1; Infinity for always. */
  times?: number;
  /** Only in this session (sessions are numbered from 1 in the order they connect). */
  session?: number;
};

/** Faults that replace the answer to a command. */
export type CommandFault = Extract<
  Fault,
  { kind: 'drop-after-bytes' | 'stall' | 'drip' | 'garbage' | 'endless' | 'err' }
>;

interface Queued {
  fault: Fault;
  remaining: number;
}

/** Injected faults, in the order they were injected; the first one that matches fires. */
export class FaultQueue {
  private queued: Queued[] = [];

  add(fault: Fault): void {
    const remaining = fault.times ?? 1;
    if (!(remaining > 0)) throw new Error('fault times must be positive');
    this.queued.push({ fault, remaining });
  }

  clear(): void {
    this.queued = [];
  }

  get pending(): Fault[] {
    return this.queued.map((entry) => entry.fault);
  }

  private take<F extends Fault>(matches: (fault: Fault) => fault is F): F | undefined {
    const index = this.queued.findIndex((entry) => matches(entry.fault));
    if (index === -1) return undefined;
    const entry = this.queued[index] as Queued;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.fault as F;
  }

  takeGreeting(session: number) {
    return this.take(
      (f): f is Extract<Fault, { kind: 'greeting-error' }> =>
        f.kind === 'greeting-error' && inSession(f, session),
    );
  }

  takeAuth(session: number) {
    return this.take(
      (f): f is Extract<Fault, { kind: 'auth-error' }> =>
        f.kind === 'auth-error' && inSession(f, session),
    );
  }

  /** Every wrong-size fault for this session, each consumed once. */
  takeWrongSizes(session: number): Map<number, number> {
    const sizes = new Map<number, number>();
    for (;;) {
      const fault = this.take(
        (f): f is Extract<Fault, { kind: 'wrong-size' }> =>
          f.kind === 'wrong-size' && inSession(f, session) && !sizes.has(f.msg),
      );
      if (!fault) return sizes;
      sizes.set(fault.msg, fault.reportedSize);
    }
  }

  takeForCommand(session: number, command: string, msg: number | undefined) {
    return this.take(
      (f): f is CommandFault =>
        (f.kind === 'drop-after-bytes' ||
          f.kind === 'stall' ||
          f.kind === 'drip' ||
          f.kind === 'garbage' ||
          f.kind === 'endless' ||
          f.kind === 'err') &&
        inSession(f, session) &&
        f.command.toUpperCase() === command &&
        (!('msg' in f) || f.msg === undefined || f.msg === msg),
    );
  }
}

function inSession(fault: Fault, session: number): boolean {
  return fault.session === undefined || fault.session === session;
}
