// `npm start`: install and build what is missing or stale, then run Popgate in this process's
// place (signals reach the server, which stops gracefully).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, ensureInstalled, root } from './lib/workspace.mjs';

try {
  ensureInstalled();
  ensureBuilt();
} catch (error) {
  console.error(`Popgate could not be prepared: ${error.message}`);
  process.exit(1);
}

const server = spawn(
  process.execPath,
  ['--enable-source-maps', path.join(root, 'apps/server/dist/main.js')],
  {
    stdio: 'inherit',
    env: process.env,
  },
);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// npm runs this script through a shell that dies on SIGTERM without passing it on: when the
// process that started this one is gone, stop the server as if it had been sent SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) server.kill('SIGTERM');
}, 500).unref();
