import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Emits sw.js: src/service-worker.js with the list of files to precache (every file of the
 * build, public/ included) and a build id, so a new build replaces the old shell.
 */
function serviceWorker(): Plugin {
  return {
    name: 'popgate-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const publicDir = path.join(here, 'public');
      const publicFiles = fs.existsSync(publicDir) ? fs.readdirSync(publicDir) : [];
      const hash = createHash('sha256');
      const files = new Set<string>();
      for (const [fileName, output] of Object.entries(bundle)) {
        if (fileName.endsWith('.map') || fileName === 'sw.js') continue;
        files.add(`/${fileName}`);
        hash.update(fileName);
        hash.update(output.type === 'chunk' ? output.code : output.source);
      }
      for (const name of publicFiles) {
        files.add(`/${name}`);
        hash.update(name);
        hash.update(fs.readFileSync(path.join(publicDir, name)));
      }
      const template = fs.readFileSync(path.join(here, 'src', 'service-worker.js'), 'utf8');
      const source = template
        .replace('self.__POPGATE_BUILD__', JSON.stringify(hash.digest('hex').slice(0, 16)))
        .replace('self.__POPGATE_PRECACHE__', JSON.stringify([...files].sort()));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

/**
 * Writes a brotli (.br, best quality) and a gzip (.gz) copy beside each built text file of 1 KiB
 * or more: the server sends them as they are (@fastify/static preCompressed), smaller than it
 * could compress on the fly and at no cost per request.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'popgate-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(?:js|css|html|svg|json|webmanifest)$/.test(fileName)) continue;
        const file = path.join(outDir, fileName);
        const bytes = fs.readFileSync(file);
        if (bytes.length < 1024) continue;
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(bytes));
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

// In development the API runs on the Popgate server; `vite` proxies to it.
export default defineConfig({
  plugins: [vue(), serviceWorker(), precompress()],
  server: {
    proxy: {
      '/api': { target: process.env.POPGATE_URL ?? 'http://127.0.0.1:3000', ws: true },
      '/readyz': process.env.POPGATE_URL ?? 'http://127.0.0.1:3000',
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
