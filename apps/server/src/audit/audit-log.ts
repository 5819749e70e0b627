import type { Db } from '../db/prisma';

/** Who did what, when, from where: sign-ins, password changes, account and admin actions. */
export interface AuditEntry {
  action: string;
  actor?: { id: string; email: string } | null;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Where an audited action came from: the caller's address and browser. */
export interface AuditOrigin {
  ip: string | null;
  userAgent: string | null | undefined;
}

export async function audit(prisma: Db, origin: AuditOrigin, entry: AuditEntry): Promise<void> {
  await prisma.auditLog.create({
    data: {
      action: entry.action,
      actorUserId: entry.actor?.id ?? null,
      actorEmail: entry.actor?.email ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 500) ?? null,
      details: (entry.details ?? {}) as object,
    },
  });
}
