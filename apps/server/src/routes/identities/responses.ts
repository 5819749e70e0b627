import { ErrorReply } from '@popgate/contracts';
import { Type } from 'typebox';

/** The error replies every identity route may give. */
export const identityErrors = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  404: ErrorReply,
  409: ErrorReply,
  429: ErrorReply,
};

/** `:id` is checked by the handler, so a malformed id is a 404 like any id that is not yours. */
export const IdentityParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
