import type { Writable } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import pretty from 'pino-pretty';
import type { Config } from './config';

/**
 * pino options: secrets never reach the log, whatever object they travel in. On a terminal the
 * lines are for a person to read (time, level, message, then the fields); otherwise, as a log
 * collector or `docker logs` takes them, one JSON object a line.
 */
export function loggerOptions(
  config: Pick<Config, 'logLevel'>,
  output: { pretty?: boolean; destination?: Writable } = {},
): FastifyServerOptions['logger'] {
  const readable = output.pretty ?? process.stdout.isTTY === true;
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        'password',
        '*.password',
        '*.*.password',
        'secret',
        '*.secret',
        'accessToken',
        '*.accessToken',
      ],
      censor: '[redacted]',
    },
    ...(readable && {
      stream: pretty({
        colorize: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname',
        // Written as it happens: the last lines before an exit are the ones that explain it.
        sync: true,
        ...(output.destination && { destination: output.destination }),
      }),
    }),
  };
}
