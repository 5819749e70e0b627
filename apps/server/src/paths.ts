import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout (or image) root: the nearest folder above this module holding prisma/schema.prisma.
 * Found by walking up so the same code works from src/ under vitest and from the bundled dist/.
 */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Popgate root (prisma/schema.prisma)');
    dir = parent;
  }
}

export const migrationsDir = (): string => path.join(projectRoot(), 'prisma', 'migrations');
export const webDistDir = (): string => path.join(projectRoot(), 'apps', 'web', 'dist');
