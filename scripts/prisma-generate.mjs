// `prisma generate` without the network. The CLI insists on having its native schema engine
// before any command, and downloading it fails offline; generating the client does not use it.
// Pointing PRISMA_SCHEMA_ENGINE_BINARY at a placeholder that exists skips the download.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const placeholder = path.join(os.tmpdir(), 'popgate-no-schema-engine.sh');
fs.writeFileSync(
  placeholder,
  '#!/bin/sh\necho "Popgate applies migrations itself: see scripts/migration-new.mjs" >&2\nexit 1\n',
  { mode: 0o755 },
);
const result = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  },
);
process.exit(result.status ?? 1);
