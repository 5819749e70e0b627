import type pg from 'pg';
import { utcTimestamps } from './utc-timestamps';

/** PostgreSQL's limit on the parameters of one statement. */
const MAX_PARAMETERS = 65_535;

export interface InsertColumn {
  name: string;
  /** A cast for the parameter (`uuid`, `jsonb`, `timestamp`), when text would not do. */
  type?: string;
}

/**
 * One multi-row INSERT per table (more only past PostgreSQL's parameter limit), sent through
 * node-postgres directly: each value is a parameter of its own, so a Buffer goes as binary bytea
 * and nothing is copied into an array literal. `tail` follows VALUES (ON CONFLICT, RETURNING).
 */
export async function insertRows<Row extends object = Record<string, never>>(
  client: pg.ClientBase,
  table: string,
  columns: readonly InsertColumn[],
  rows: ReadonlyArray<readonly unknown[]>,
  tail = '',
): Promise<Row[]> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const names = columns.map((column) => `"${column.name}"`).join(', ');
  const out: Row[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = columns.map((column, index) => {
        values.push(row[index]);
        return column.type ? `$${values.length}::${column.type}` : `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const { rows: returned } = await client.query<Row>({
      text: `INSERT INTO ${table} (${names}) VALUES ${tuples.join(', ')} ${tail}`,
      values,
      types: utcTimestamps,
    });
    out.push(...returned);
  }
  return out;
}
