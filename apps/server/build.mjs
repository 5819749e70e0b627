// Bundles the server into dist/main.js (and dist/demo.js), and the HTML sanitizing worker into
// dist/sanitize-worker.js beside them, where the bundle looks for it. Workspace packages (TypeScript sources) are compiled in;
// every other dependency stays an ordinary import resolved from node_modules at run time.
import fs from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = Object.entries(pkg.dependencies)
  .filter(([, version]) => !String(version).startsWith('workspace:'))
  .flatMap(([name]) => [name, `${name}/*`]);

await build({
  entryPoints: [
    { in: 'src/main.ts', out: 'main' },
    { in: 'src/demo.ts', out: 'demo' },
    { in: 'src/mail/sanitize-worker.ts', out: 'sanitize-worker' },
  ],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external,
  logLevel: 'warning',
  // Bundled CommonJS helpers expect require(); give them one.
  banner: {
    js: "import { createRequire as __popgateCreateRequire } from 'node:module'; const require = __popgateCreateRequire(import.meta.url);",
  },
});
