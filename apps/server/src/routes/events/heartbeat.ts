import type { WebSocket } from '@fastify/websocket';

/**
 * Pings the client every `intervalMs` and ends a connection that missed a pong (a peer that
 * vanished without closing). Each beat also runs `beat`, which decides whether the connection
 * may stay open. Returns a function that stops the heartbeat.
 */
export function startHeartbeat(
  socket: WebSocket,
  intervalMs: number,
  beat: () => Promise<'keep' | 'end'>,
  onEnd: () => void,
): () => void {
  let answered = true;
  let beating = false;
  const onPong = () => {
    answered = true;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (!answered) {
      socket.terminate();
      return;
    }
    answered = false;
    socket.ping();
    if (beating) return;
    beating = true;
    void beat()
      .then((verdict) => {
        if (verdict === 'end') onEnd();
      })
      .finally(() => {
        beating = false;
      });
  }, intervalMs);
  return () => {
    clearInterval(timer);
    socket.off('pong', onPong);
  };
}
