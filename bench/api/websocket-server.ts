import { answerRequests } from './child-process';
import { startPopgate } from './popgate';

/**
 * The Popgate process whose memory the websocket measurement reads: Popgate alone, nothing of
 * the bench beside it. Started with --expose-gc, so that what is measured is what stays.
 */
const started = startPopgate(process.env.DATABASE_URL!, Number(process.env.POOL ?? 10));
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});

answerRequests(async (request) => {
  const popgate = await started;
  switch (request.type) {
    case 'origin':
      return popgate.origin;
    case 'memory': {
      // Twice: the first pass may leave what only a second finds unreachable.
      collectGarbage();
      collectGarbage();
      const { rss, heapUsed } = process.memoryUsage();
      return { rss, heapUsed };
    }
    case 'sockets':
      return popgate.app.websocketServer.clients.size;
    case 'close':
      await popgate.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown request ${request.type}`);
  }
});
