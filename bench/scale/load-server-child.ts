// The load server in a process of its own, so that its CPU is measured apart from Popgate's and
// the runner's. Started by startLoadServerProcess (load-server-process.ts).
import { answerRequests } from '../api/child-process';
import { LoadServer, type LoadServerOptions } from './load-server';

const options = JSON.parse(process.env.SCALE_LOAD_SERVER!) as LoadServerOptions;
const started = LoadServer.start(options);
answerRequests(async (request) => {
  const server = await started;
  if (request.type === 'port') return server.port;
  if (request.type === 'stats') return server.stats;
  if (request.type === 'close') {
    await server.close();
    setImmediate(() => process.exit(0));
    return null;
  }
  throw new Error(`unknown request ${request.type}`);
});
