import WebSocket from 'ws';
import { answerRequests } from './child-process';

/**
 * A process of browsers: opens event-stream websockets to Popgate as a page would (its session
 * cookie, its own origin), keeps them idle (answering pings, as browsers do), and counts pings
 * and closes.
 */
const sockets: WebSocket[] = [];
const pings = new Map<WebSocket, number>();
let closed = 0;

function open(url: string, origin: string, cookie: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { cookie, origin }, perMessageDeflate: false });
    pings.set(socket, 0);
    socket.on('ping', () => pings.set(socket, pings.get(socket)! + 1));
    socket.on('close', () => {
      closed += 1;
    });
    socket.on('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    socket.on('error', reject);
    // Open once Popgate says the stream is ready (missed events replayed, live ones follow).
    socket.once('message', () => {
      sockets.push(socket);
      resolve();
    });
  });
}

answerRequests(async (request) => {
  switch (request.type) {
    case 'open': {
      const { url, origin, cookies, concurrency } = request as unknown as {
        url: string;
        origin: string;
        cookies: string[];
        concurrency: number;
      };
      let next = 0;
      const opener = async () => {
        while (next < cookies.length) await open(url, origin, cookies[next++]!);
      };
      await Promise.all(Array.from({ length: concurrency }, opener));
      return sockets.length;
    }
    case 'status': {
      const counts = sockets.map((socket) => pings.get(socket)!);
      return {
        open: sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length,
        closed,
        fewestPings: counts.length > 0 ? Math.min(...counts) : 0,
      };
    }
    case 'close':
      for (const socket of sockets) socket.terminate();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown request ${request.type}`);
  }
});
