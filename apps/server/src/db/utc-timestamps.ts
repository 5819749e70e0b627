import pg from 'pg';

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

/**
 * Type parsers for queries sent through node-postgres directly: Prisma keeps DateTime as UTC
 * wall time in `timestamp` columns, so such a column is read as UTC too (node-postgres alone
 * would read it as local time).
 */
export const utcTimestamps: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_WITHOUT_TIME_ZONE
      ? (text: string) => new Date(`${text.replace(' ', 'T')}Z`)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
