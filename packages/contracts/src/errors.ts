import { Type, type Static } from 'typebox';

/** Every error reply: an HTTP status plus this body. */
export const ErrorReply = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable, machine-readable code, e.g. NOT_FOUND' }),
    message: Type.String({ description: 'What went wrong, in words a user can act on' }),
  }),
});
export type ErrorReply = Static<typeof ErrorReply>;
