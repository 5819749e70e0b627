import { Type, type Static } from 'typebox';

/** One thing wrong with what was asked, named by its field (e.g. a draft that cannot be sent). */
export const ErrorProblem = Type.Object({
  field: Type.String(),
  /** The offending value, when there is one (a recipient's address). */
  value: Type.Optional(Type.String()),
  message: Type.String(),
});
export type ErrorProblem = Static<typeof ErrorProblem>;

/** Every error reply: an HTTP status plus this body. */
export const ErrorReply = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable, machine-readable code, e.g. NOT_FOUND' }),
    message: Type.String({ description: 'What went wrong, in words a user can act on' }),
    /** Every problem found, field by field, when there are several (a draft that cannot be sent). */
    problems: Type.Optional(Type.Array(ErrorProblem)),
    /** Where the input is wrong, 1-based (a search query: INVALID_QUERY). */
    position: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
});
export type ErrorReply = Static<typeof ErrorReply>;
