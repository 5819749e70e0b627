import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Reply {
  id: number;
  answer?: unknown;
  error?: string;
}

/**
 * Starts `file` (TypeScript, run the way this process runs) as a child that answers requests
 * (see answerRequests). `ask` sends one request and resolves with the child's answer to it.
 */
export function startChild(
  file: URL,
  options: { nodeOptions?: string[]; env?: Record<string, string> } = {},
) {
  const child = fork(fileURLToPath(file), [], {
    execArgv: [...process.execArgv, ...(options.nodeOptions ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let lastId = 0;
  const waiting = new Map<number, { resolve(answer: unknown): void; reject(error: Error): void }>();
  child.on('message', (reply: Reply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.answer);
  });
  // A send to a child that is gone rejects that request (above); nothing else to say.
  child.on('error', () => {});
  child.on('exit', (code) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`child exited (${code})`));
    waiting.clear();
  });
  return {
    pid: child.pid!,
    ask<T>(request: { type: string } & Record<string, unknown>): Promise<T> {
      const id = ++lastId;
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error('child has exited'));
        waiting.set(id, { resolve: resolve as (answer: unknown) => void, reject });
        child.send({ ...request, id }, (error) => {
          if (error) reject(error);
        });
      });
    },
    /** Ends the child if it has not ended by itself. */
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** In a child started by startChild: answers each request with what `handle` resolves to. */
export function answerRequests(
  handle: (request: { type: string } & Record<string, unknown>) => Promise<unknown>,
): void {
  process.on('message', (message: { id: number; type: string } & Record<string, unknown>) => {
    const { id, ...request } = message;
    handle(request).then(
      (answer) => process.send!({ id, answer }),
      (error: unknown) => process.send!({ id, error: String(error) }),
    );
  });
}
