import { DomainError } from '../domain-errors';

/**
 * A search that cannot be read: what is wrong and where (1-based), and what was likely meant:
 * `unknown operator "form:" at 1 — did you mean from:?`.
 */
export const invalidQuery = (message: string, position: number, hint?: string) =>
  new DomainError(
    'invalid',
    'INVALID_QUERY',
    `${message} at ${position}${hint ? ` — ${hint}` : ''}`,
    undefined,
    undefined,
    position,
  );
