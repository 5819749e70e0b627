import { Type, type Static } from 'typebox';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('user')]);
export type Role = Static<typeof Role>;

export const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Sign-in address',
});

/** POST /api/auth/signup and /api/auth/login. */
export const Credentials = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type Credentials = Static<typeof Credentials>;

/** Sign-up wants a password worth having. */
export const NEW_PASSWORD_MIN_LENGTH = 10;
export const NewPassword = Type.String({ minLength: NEW_PASSWORD_MIN_LENGTH, maxLength: 1024 });

/** GET /api/auth/me, and the reply to sign-up and sign-in. */
export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: Role,
});
export type Me = Static<typeof Me>;

export const CsrfReply = Type.Object({ token: Type.String() });
export type CsrfReply = Static<typeof CsrfReply>;

/** POST /api/auth/password. */
export const ChangePassword = Type.Object(
  {
    /** Required unless the user has no password yet (signed in with a one-time link). */
    currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    newPassword: NewPassword,
  },
  { additionalProperties: false },
);
export type ChangePassword = Static<typeof ChangePassword>;

/** The header every POST, PATCH and DELETE carries (DESIGN.md "CSRF"). */
export const CSRF_HEADER = 'x-csrf-token';

/** POST /api/auth/link: sign in once with the token of an admin's sign-in link. */
export const SignInLinkIn = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 200 }) },
  { additionalProperties: false },
);
export type SignInLinkIn = Static<typeof SignInLinkIn>;

/**
 * GET /api/auth/signup: whether someone without an account may create one here. `open`: the
 * sign-up form works; `firstUser`: nobody has signed up yet, and whoever does becomes the admin.
 */
export const SignUpStatus = Type.Object({
  open: Type.Boolean(),
  firstUser: Type.Boolean(),
});
export type SignUpStatus = Static<typeof SignUpStatus>;
