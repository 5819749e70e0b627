// `npm run demo`: Popgate with a demo user and a local demo mailbox already linked (embedded
// database under ./data-demo). Sign-in details are printed at start.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, ensureInstalled, root } from './lib/workspace.mjs';

ensureInstalled();
ensureBuilt();
const demo = spawn(
  process.execPath,
  ['--enable-source-maps', path.join(root, 'apps/server/dist/demo.js')],
  {
    stdio: 'inherit',
    env: process.env,
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.kill(signal));
demo.on('exit', (code) => process.exit(code ?? 1));
