import { afterEach } from 'vitest';
import { Pop3Server, type Pop3ServerOptions } from '../src/index';
import { Pop3Wire } from '@popgate/pop3-server/testing';

const running: Pop3Server[] = [];
const wires: Pop3Wire[] = [];

afterEach(async () => {
  for (const wire of wires.splice(0)) wire.close();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** A server that is closed after the current test. */
export async function startServer(options: Pop3ServerOptions = {}): Promise<Pop3Server> {
  const server = await Pop3Server.start(options);
  running.push(server);
  return server;
}

export async function connect(server: Pop3Server, tls = false): Promise<Pop3Wire> {
  const wire = await Pop3Wire.connect({
    host: server.host,
    port: server.port,
    caPem: tls ? server.tlsCert?.cert : undefined,
  });
  wires.push(wire);
  return wire;
}

/** Connected and logged in with USER/PASS as the default user. */
export async function loggedIn(server: Pop3Server, username = 'user', password = 'secret') {
  const wire = await connect(server);
  await wire.command(`USER ${username}`);
  const answer = await wire.command(`PASS ${password}`);
  if (!answer.startsWith('+OK')) throw new Error(`login failed: ${answer}`);
  return wire;
}

export const message = (text: string, uidl?: string) => ({
  body: Buffer.from(text, 'latin1'),
  uidl,
});

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
