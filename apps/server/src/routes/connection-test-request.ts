import type { FastifyRequest } from 'fastify';
import { takeConnectionTest } from '../accounts/connection-test-throttle';
import type { Db } from '../db/prisma';
import { HttpError } from '../plugins/errors';

/**
 * Takes one test from the user's allowance (POP3 and SMTP tests share it: both make Popgate dial
 * out), or refuses with 429 and Retry-After.
 */
export async function admitConnectionTest(prisma: Db, userId: string): Promise<void> {
  const wait = await takeConnectionTest(prisma, userId);
  if (wait > 0) {
    throw new HttpError(
      429,
      'RATE_LIMITED',
      `Too many connection tests in a minute; try again in ${wait} s`,
      { 'retry-after': String(wait) },
    );
  }
}

/**
 * Runs a connection test that ends when its timeouts say so, or as soon as nobody waits for the
 * answer (the client's connection closed).
 */
export async function whileClientWaits<T>(
  request: FastifyRequest,
  test: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abandoned = new AbortController();
  const onClose = () => abandoned.abort();
  const socket = request.raw.socket;
  socket?.once?.('close', onClose);
  try {
    return await test(abandoned.signal);
  } finally {
    socket?.off?.('close', onClose);
  }
}
