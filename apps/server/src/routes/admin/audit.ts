import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditEntryOut, AuditQuery, ErrorReply } from '@popgate/contracts';
import { Type } from 'typebox';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply };

const CSV_COLUMNS = [
  'at',
  'action',
  'actorEmail',
  'actorUserId',
  'targetType',
  'targetId',
  'ip',
  'details',
] as const;

/** A CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
function csvField(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The audit log: who did what, when, from where; filterable, exportable as CSV. */
export const adminAuditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  app.get(
    '/api/admin/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'Audit log entries, newest first (format=csv to export)',
        querystring: AuditQuery,
        response: {
          200: Type.Union([Type.Object({ items: Type.Array(AuditEntryOut) }), Type.String()]),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { action, actor, since, until, format = 'json', limit = 200 } = request.query;
      const rows = await prisma.auditLog.findMany({
        where: {
          ...(action && { action: { startsWith: action } }),
          ...(actor && { actorEmail: { contains: actor.toLowerCase() } }),
          ...((since || until) && {
            at: { ...(since && { gte: new Date(since) }), ...(until && { lte: new Date(until) }) },
          }),
        },
        orderBy: { id: 'desc' },
        take: limit,
      });
      const items = rows.map((row) => ({
        id: row.id.toString(),
        at: row.at.toISOString(),
        actorUserId: row.actorUserId,
        actorEmail: row.actorEmail,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        ip: row.ip,
        details: row.details,
      }));
      if (format === 'csv') {
        const lines = [
          CSV_COLUMNS.join(','),
          ...items.map((item) => CSV_COLUMNS.map((c) => csvField(item[c])).join(',')),
        ];
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="popgate-audit.csv"')
          .send(`${lines.join('\r\n')}\r\n`);
      }
      return { items };
    },
  );
};
