import { ErrorReply } from '@popgate/contracts';

/** The error replies every drafts route may give. */
export const draftErrors = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  404: ErrorReply,
  409: ErrorReply,
};
