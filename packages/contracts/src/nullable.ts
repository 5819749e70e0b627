import { Type, type Static, type TSchema } from 'typebox';

/**
 * A value of `schema` or null, written as one JSON Schema type list ("type": ["integer", "null"])
 * rather than anyOf: the server's validator coerces types, and with anyOf it would turn a null
 * into "" or 0 (and a 0 into null) by trying the branches in turn.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, ...keywords } = schema as unknown as { type: string } & Record<string, unknown>;
  return Type.Unsafe<Static<T> | null>({ ...keywords, type: [type, 'null'] });
}
