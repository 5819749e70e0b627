// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes a database from
// the schema the existing migrations produce (prisma/migrations/migrated-schema.prisma) to
// prisma/schema.prisma, then records the new schema there. Usage: npm run migration:new -- <name>
// Raw SQL Prisma cannot express (triggers, functions) may be appended to the file by hand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffSchemas } from './lib/schema-engine.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const migrations = path.join(root, 'prisma', 'migrations');
const snapshotPath = path.join(migrations, 'migrated-schema.prisma');
const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]+/gi, '_').toLowerCase();
if (!name) {
  console.error('usage: npm run migration:new -- <name>');
  process.exit(2);
}

const to = fs.readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8');
const from = fs.existsSync(snapshotPath) ? fs.readFileSync(snapshotPath, 'utf8') : null;
const sql = await diffSchemas({
  from,
  to,
  connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
});
if (sql === '') {
  console.log('prisma/schema.prisma and the migrations already agree: nothing to write.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(migrations, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
fs.writeFileSync(snapshotPath, to);
fs.writeFileSync(path.join(migrations, 'migration_lock.toml'), 'provider = "postgresql"\n');
console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
