import { Pop3Server, type Pop3ServerOptions, type ServerMessage } from '@popgate/pop3-server';
import { afterEach } from 'vitest';
import type { Pop3ConnectOptions } from '../../src/index';

export const USER = { username: 'user', password: 'secret', accessToken: 'user-access-token' };

/** Starts pop3-server instances for a test and closes them after it. */
export function usePop3Servers(): (options?: Pop3ServerOptions) => Promise<Pop3Server> {
  const started: Pop3Server[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (options = {}) => {
    const server = await Pop3Server.start(options);
    started.push(server);
    return server;
  };
}

/** Numbered plain messages: "Subject: n" and a short body. */
export function simpleMessages(count: number): ServerMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    body: Buffer.from(`Subject: ${index + 1}\r\n\r\n${'line of text\r\n'.repeat(20 + index)}`),
  }));
}

/** Connect options for `server`: TLS trusted by pin when it has a certificate, else plain. */
export function optionsFor(
  server: Pop3Server,
  extra: Partial<Pop3ConnectOptions> = {},
): Pop3ConnectOptions {
  const tls = server.tlsCert !== undefined && extra.security !== 'none';
  return {
    host: server.host,
    port: server.port,
    security: tls ? 'tls' : 'none',
    ...(tls ? { tls: { pinSha256: server.tlsCert!.sha256 } } : {}),
    auth: { username: USER.username, password: USER.password, allowPlaintextPassword: !tls },
    timeouts: { commandMs: 5_000, greetingMs: 5_000 },
    ...extra,
  };
}

/** The lines the server received in its last session. */
export function linesOfLastSession(server: Pop3Server): string[] {
  const session = server.stats.sessions;
  return server.stats.commands
    .filter((entry) => entry.session === session)
    .map((entry) => entry.line);
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
