import { Type, type Static } from 'typebox';

/** DELETE /api/auth/me: a user leaves, confirming with their password. */
export const LeaveIn = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LeaveIn = Static<typeof LeaveIn>;
