import type pg from 'pg';
import { utcTimestamps } from './utc-timestamps';

/** PostgreSQL's limit on the parameters of one statement. */
const MAX_PARAMETERS = 65_535;

/** A cast for a parameter, when text would not do. */
export type Cast = 'uuid' | 'integer' | 'boolean' | 'timestamp' | 'jsonb' | 'bytea';

/**
 * A column's value as a parameter of a statement sent through node-postgres: a timestamp as its
 * UTC wall time (an ISO string; the `timestamp` cast drops the zone, as Prisma keeps them), jsonb
 * as JSON text, anything else as it is read.
 */
export type Param<Value, C> = C extends 'timestamp' | 'jsonb' ? string : Value;

/** A row of `Model` as an INSERT takes it, by the cast of each column. */
export type ParamsOf<Model, Casts extends Record<keyof Model, Cast | null>> = {
  [K in keyof Model]: Param<Model[K], Casts[K]>;
};

/** A timestamp as a parameter: see Param. */
export const utc = (date: Date) => date.toISOString();

export interface InsertColumn<Name extends string = string> {
  name: Name;
  type?: Cast | undefined;
}

/** The columns of a table whose every column is written, from its casts (in their order). */
export const columnsOf = <Name extends string>(
  casts: Record<Name, Cast | null>,
): InsertColumn<Name>[] =>
  (Object.entries(casts) as Array<[Name, Cast | null]>).map(([name, type]) =>
    type ? { name, type } : { name },
  );

/**
 * One multi-row INSERT per table (more only past PostgreSQL's parameter limit), sent through
 * node-postgres directly: each value is a parameter of its own, so a Buffer goes as binary bytea
 * and nothing is copied into an array literal. Each row names its values by column, so a row
 * type says which columns it fills. `tail` follows VALUES (ON CONFLICT, RETURNING).
 */
export async function insertRows<
  Row extends object,
  Returned extends object = Record<string, never>,
>(
  client: pg.ClientBase,
  table: string,
  columns: ReadonlyArray<InsertColumn<keyof Row & string>>,
  rows: readonly Row[],
  tail = '',
): Promise<Returned[]> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const names = columns.map((column) => `"${column.name}"`).join(', ');
  const out: Returned[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = columns.map((column) => {
        values.push(row[column.name]);
        return column.type ? `$${values.length}::${column.type}` : `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const { rows: returned } = await client.query<Returned>({
      text: `INSERT INTO ${table} (${names}) VALUES ${tuples.join(', ')} ${tail}`,
      values,
      types: utcTimestamps,
    });
    out.push(...returned);
  }
  return out;
}
