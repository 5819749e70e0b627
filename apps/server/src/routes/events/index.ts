import { EVENT_STREAM_CLOSE, EventsQuery, StreamResume } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Value } from 'typebox/value';
import { HttpError } from '../../plugins/errors';
import { markUserActive } from '../../sync/presence';
import { SESSION_COOKIE } from '../../users/sessions';
import { EventFanout } from './event-fanout';
import { EventStream } from './event-stream';
import { FrameLimit } from './frame-limit';
import { startHeartbeat } from './heartbeat';
import { PresenceMarks } from './presence-marks';
import { isSameOrigin } from './same-origin';
import { eventStreamSettings } from './stream-settings';
import { userEventHistory } from './user-event-history';
import { websocketSink } from './websocket-sink';

/**
 * GET /api/events: the websocket that carries the signed-in user's events
 * ({ id, type, payload }) as they happen, after replaying those missed since ?lastEventId.
 */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // For the signed-in user only (401 for anyone else), before the route's own origin check.
  app.addHook('preHandler', app.requireUser);
  const { prisma } = app.db;
  const fanout = new EventFanout(app.events);
  app.addHook('onClose', async () => fanout.close());
  const presence = new PresenceMarks(
    (userId) => markUserActive(prisma, userId, eventStreamSettings.activeSeconds),
    eventStreamSettings.markActiveEveryMs,
  );

  const sameOriginOnly = async (request: FastifyRequest) => {
    if (!isSameOrigin(request.headers.origin, request.headers.host)) {
      throw new HttpError(403, 'BAD_ORIGIN', 'Only Popgate’s own pages may open the event stream');
    }
  };

  app.get(
    '/api/events',
    {
      websocket: true,
      preHandler: sameOriginOnly,
      schema: { querystring: EventsQuery },
    },
    (socket, request) => {
      const user = request.user!;
      const token = request.cookies[SESSION_COOKIE];
      const log = request.log.child({ userId: user.id });
      const settings = { ...eventStreamSettings };

      const stream = new EventStream(
        websocketSink(socket),
        userEventHistory(prisma, app.events, user.id),
        settings,
      );
      const failed = (err: unknown) => {
        log.error({ err }, 'event stream failed');
        socket.close(1011, 'Popgate could not read the events; reconnect');
      };
      // Subscribed before anything is read, so nothing published from now on can be missed.
      const stopListening = fanout.add(user.id, (event) => stream.push(event));

      const markActive = () =>
        presence
          .mark(user.id)
          .catch((err: unknown) => log.warn({ err }, 'could not mark the user active'));
      // The user's accounts are due sooner now: let the scheduler look at once.
      void markActive().then(() => app.scheduler?.wake());

      const stopHeartbeat = startHeartbeat(
        socket,
        settings.heartbeatMs,
        async () => {
          // A session signed out, revoked or expired, or a user disabled, ends the stream.
          const stillSignedIn = await app.sessions.user(token).catch(() => undefined);
          if (stillSignedIn === null || (stillSignedIn && stillSignedIn.id !== user.id)) {
            return 'end';
          }
          await markActive();
          await stream
            .tick()
            .catch((err: unknown) => log.warn({ err }, 'event stream resync failed'));
          return 'keep';
        },
        () => socket.close(EVENT_STREAM_CLOSE.sessionEnded, 'Session ended: sign in again'),
      );

      const frames = new FrameLimit(settings.framesPerSecond, settings.frameBurst);
      socket.on('message', (data, isBinary) => {
        if (!frames.take()) {
          socket.close(EVENT_STREAM_CLOSE.tooManyFrames, 'Too many messages');
          // Frames already received are not worked on.
          stream.close();
          return;
        }
        const resume = isBinary ? undefined : parseResume(data.toString());
        if (resume) void stream.resume(resume.lastEventId).catch(failed);
      });
      socket.on('close', () => {
        stream.close();
        stopListening();
        stopHeartbeat();
      });

      void stream.resume(request.query.lastEventId ?? null).catch(failed);
    },
  );
};

function parseResume(text: string): StreamResume | undefined {
  try {
    const message: unknown = JSON.parse(text);
    return Value.Check(StreamResume, message) ? message : undefined;
  } catch {
    return undefined;
  }
}
