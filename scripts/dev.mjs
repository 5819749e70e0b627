// `npm run dev`: the server (rebuilt and restarted on change by tsx watch) and Vite's dev server.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, ensureInstalled, root } from './lib/workspace.mjs';

ensureInstalled();
ensureBuilt();
const children = [
  spawn(path.join(root, 'node_modules/.bin/tsx'), ['watch', 'apps/server/src/main.ts'], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(path.join(root, 'node_modules/.bin/vite'), ['apps/web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, POPGATE_URL: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
  }),
];
const stop = () => children.forEach((child) => child.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', stop);
