import type { WebSocket } from '@fastify/websocket';
import type { StreamSink } from './event-stream';

/** A websocket as the place an event stream writes to. */
export function websocketSink(socket: WebSocket): StreamSink {
  return {
    get open() {
      return socket.readyState === socket.OPEN;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send: (text) => socket.send(text),
  };
}
