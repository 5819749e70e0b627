/**
 * Limits the server checks too (the contracts' NEW_PASSWORD_MIN_LENGTH and friends), repeated
 * here so that the app imports only types from @popgate/contracts; a test keeps them equal.
 */
export const NEW_PASSWORD_MIN_LENGTH = 10;
