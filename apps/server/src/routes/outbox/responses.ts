import { ErrorReply } from '@popgate/contracts';
import { Type } from 'typebox';

/** The error replies an outbox route may give. */
export const outboxErrors = { 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };

/** `:id` is checked by the domain, so a malformed id is a 404 like any id that is not yours. */
export const OutboxItemParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
