import { ErrorReply } from '@popgate/contracts';

/** The error replies every messages route may give. */
export const messageErrors = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  404: ErrorReply,
};
