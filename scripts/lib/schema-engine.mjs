// Prisma's schema engine as WebAssembly: authors migrations offline, where the CLI's native
// engine cannot be downloaded. Loaded once per process (the wasm module keeps global state).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);
let loaded;

async function loadWasm() {
  if (!loaded) {
    loaded = (async () => {
      const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
      const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
      const bytes = fs.readFileSync(path.join(dir, 'schema_engine_bg.wasm'));
      const { instance } = await WebAssembly.instantiate(bytes, {
        './schema_engine_bg.js': bindings,
      });
      bindings.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start?.();
      return bindings;
    })();
  }
  return loaded;
}

/**
 * SQL that takes a database at schema `from` (Prisma schema text, or null for an empty database)
 * to schema `to`. Both are datamodels: no database is read. '' means they already agree.
 */
export async function diffSchemas({ from, to, connectionString }) {
  const { SchemaEngine } = await loadWasm();
  const file = (content) => ({ files: [{ path: 'schema.prisma', content }] });
  // The engine insists on an adapter even for a datamodel-only diff; it is never queried.
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString }));
  const engine = await SchemaEngine.new({ datamodels: [['schema.prisma', to]] }, () => {}, adapter);
  try {
    const result = await engine.diff({
      from: from === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', ...file(from) },
      to: { tag: 'schemaDatamodel', ...file(to) },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? '';
    return /^\s*(-- This is an empty migration\.)?\s*$/.test(sql) ? '' : sql;
  } finally {
    engine.free();
  }
}
