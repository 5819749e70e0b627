import { Type, type Static } from 'typebox';

export const HealthReply = Type.Object({ status: Type.Literal('ok') });
export type HealthReply = Static<typeof HealthReply>;

/** GET /readyz: 200 with status "ready", or 503 with why not. */
export const ReadyReply = Type.Union([
  Type.Object({ status: Type.Literal('ready'), migrations: Type.Integer() }),
  Type.Object({ status: Type.Literal('migrating'), pending: Type.Array(Type.String()) }),
  Type.Object({ status: Type.Literal('unavailable'), error: Type.String() }),
]);
export type ReadyReply = Static<typeof ReadyReply>;
