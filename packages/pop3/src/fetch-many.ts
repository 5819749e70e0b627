import { retrCommand } from './commands/retr';
import { topCommand } from './commands/top';
import type { Pop3Connection } from './connection';
import { Pop3Error } from './errors';
import type { ResponseHandler } from './protocol/response-handler';
import { errorFromNegativeResponse } from './protocol/response-code';
import type { StatusLine } from './protocol/status-line';

export interface FetchManyOptions {
  /** "RETR" (default) for whole messages, or `{ top: n }` for the header and n body lines. */
  command?: 'RETR' | { top: number };
  /**
   * Receives each message, in the order of `numbers`, one at a time. A message counts as
   * fetched once this resolves. If it throws, no further messages are handed over and
   * fetchMany rejects with that error.
   */
  onMessage: (number: number, message: Buffer) => void | Promise<void>;
  /** Commands in flight at once when the server pipelines; default from the connect options. */
  window?: number;
}

export interface FetchManyResult {
  /** Messages handed to onMessage successfully, in order. */
  fetched: number[];
  /** Every other requested message: failed, cut off by a dropped connection, or never asked for. */
  notFetched: number[];
  /** What stopped the batch, if anything did. */
  error?: Pop3Error;
  /**
   * When a limit (limits.maxLineBytes or maxMessageBytes) stopped the batch: the message it cut
   * off, and the start of what had arrived of it (up to 256 KiB, enough for its header).
   */
  cutOff?: { number: number; head: Buffer };
}

export interface FetchManyOutcome extends FetchManyResult {
  /** Set when onMessage threw; the batch stopped there. */
  callbackError?: { error: unknown };
}

interface Entry {
  number: number;
  state: 'pending' | 'done' | 'failed';
  body?: Buffer;
  error?: Pop3Error;
  /** What had arrived when a limit cut the message off (its start only). */
  head?: Buffer;
}

/** How much of a message cut off by a limit is kept for the caller. */
const CUT_OFF_HEAD_BYTES = 256 * 1024;

/** Completed messages may wait for a slow onMessage up to this many bytes before no more are asked for. */
const MAX_WAITING_BYTES = 16 * 1024 * 1024;

/** Collects one message of the batch and reports to the batch synchronously. */
class BatchedMessage implements ResponseHandler {
  private pieces: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly entry: Entry,
    private readonly command: string,
    private readonly settled: (entry: Entry) => void,
  ) {}

  status(line: StatusLine): boolean {
    if (line.kind === 'ok') return true;
    if (line.kind === 'continue') {
      throw new Pop3Error('PROTOCOL', 'The server sent a SASL continuation outside authentication');
    }
    this.entry.state = 'failed';
    this.entry.error = errorFromNegativeResponse(line.text, this.command);
    this.settled(this.entry);
    return false;
  }

  data(piece: Buffer): void {
    this.pieces.push(piece);
    this.bytes += piece.length;
  }

  end(): void {
    this.entry.state = 'done';
    this.entry.body = Buffer.concat(this.pieces, this.bytes);
    this.pieces = [];
    this.settled(this.entry);
  }

  fail(error: Pop3Error): void {
    if (error.code === 'LIMIT_EXCEEDED' && this.bytes > 0) {
      this.entry.head = Buffer.concat(this.pieces, this.bytes).subarray(0, CUT_OFF_HEAD_BYTES);
    }
    this.pieces = [];
    this.entry.state = 'failed';
    this.entry.error = error;
    this.settled(this.entry);
  }
}

/**
 * Fetches many messages with up to `window` commands in flight. New commands go out as
 * answers complete, independent of how fast onMessage runs. When something fails, no new
 * commands are sent; answers already on the way are still read (so the connection stays
 * in step), and those that arrive whole are still handed over.
 */
export async function fetchMany(
  connection: Pop3Connection,
  numbers: readonly number[],
  options: FetchManyOptions,
  window: number,
): Promise<FetchManyOutcome> {
  const commandFor = (number: number): string =>
    options.command === undefined || options.command === 'RETR'
      ? retrCommand(number)
      : topCommand(number, options.command.top);
  numbers.forEach(commandFor); // validates every argument before anything is sent

  const entries: Entry[] = [];
  const fetched: number[] = [];
  const notFetched: number[] = [];
  let issued = 0;
  let inFlight = 0;
  let waitingBytes = 0;
  let stopIssuing = false;
  let firstError: Pop3Error | undefined;
  let cutOff: FetchManyResult['cutOff'];
  let callbackError: { error: unknown } | undefined;
  let wake: (() => void) | null = null;

  const settled = (entry: Entry): void => {
    inFlight--;
    if (entry.state === 'done') {
      waitingBytes += entry.body!.length;
      issueMore();
    } else {
      stopIssuing = true;
    }
    const resume = wake;
    wake = null;
    resume?.();
  };

  function issueMore(): void {
    while (
      !stopIssuing &&
      inFlight < window &&
      issued < numbers.length &&
      waitingBytes < MAX_WAITING_BYTES
    ) {
      const entry: Entry = { number: numbers[issued++]!, state: 'pending' };
      const command = commandFor(entry.number);
      entries.push(entry);
      inFlight++;
      connection.request(command, new BatchedMessage(entry, command, settled));
    }
  }

  const nextEvent = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));

  issueMore();
  let index = 0;
  for (;;) {
    const entry = entries[index];
    if (!entry) {
      if (inFlight === 0 && (stopIssuing || issued >= numbers.length)) break;
      await nextEvent();
      continue;
    }
    if (entry.state === 'pending') {
      await nextEvent();
      continue;
    }
    index++;
    if (entry.state === 'failed') {
      notFetched.push(entry.number);
      // Answers come in order: the first one a limit failed is the one that broke it.
      if (!firstError && entry.error?.code === 'LIMIT_EXCEEDED') {
        cutOff = { number: entry.number, head: entry.head ?? Buffer.alloc(0) };
      }
      firstError ??= entry.error;
      entry.head = undefined;
      continue;
    }
    const body = entry.body!;
    entry.body = undefined;
    if (callbackError) {
      notFetched.push(entry.number);
    } else {
      try {
        await options.onMessage(entry.number, body);
        fetched.push(entry.number);
      } catch (error) {
        callbackError = { error };
        stopIssuing = true;
        notFetched.push(entry.number);
      }
    }
    waitingBytes -= body.length;
    issueMore();
  }
  for (let i = issued; i < numbers.length; i++) notFetched.push(numbers[i]!);

  return {
    fetched,
    notFetched,
    ...(firstError ? { error: firstError } : {}),
    ...(cutOff ? { cutOff } : {}),
    ...(callbackError ? { callbackError } : {}),
  };
}
