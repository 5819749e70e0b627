/** How the events websocket paces itself. Tests shorten the heartbeat. */
export const eventStreamSettings = {
  /** A ping, a session check and a presence mark this often. */
  heartbeatMs: 25_000,
  /** How long one heartbeat keeps the user counted as having the app open. */
  activeSeconds: 90,
  /** A user is marked active at most this often per process, however many sockets they hold. */
  markActiveEveryMs: 10_000,
  /** More missed events than this are not replayed: the client is told to reload instead. */
  maxReplay: 1000,
  /** Bytes waiting on a slow socket beyond which events are dropped and a reload is asked for. */
  maxBufferedBytes: 4 * 1024 * 1024,
  /** Frames a client may send per second, and at once: a browser sends a resume now and then. */
  framesPerSecond: 5,
  frameBurst: 20,
};
