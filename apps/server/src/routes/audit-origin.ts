import type { FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../audit/audit-log';

/** Where a request came from, as the audit log records it. */
export const auditOrigin = (request: FastifyRequest): AuditOrigin => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
});
