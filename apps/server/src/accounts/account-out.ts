import type { AccountOut, OAuthGrantSummary } from '@popgate/contracts';
import type { Pop3Account } from '../generated/prisma/client';
import { authMethodToApi } from './auth-method-names';
import type { MessageCounts } from '../messages/counts';
import { storedServerInfo } from './server-info';

/**
 * An account row as the API shows it. Built field by field, so the sealed password (and any
 * column added later) never reaches a reply by accident.
 */
export function toAccountOut(
  account: Pop3Account,
  counts: MessageCounts,
  oauth: OAuthGrantSummary | null = null,
): AccountOut {
  return {
    id: account.id,
    label: account.label,
    host: account.host,
    port: account.port,
    security: account.security,
    username: account.username,
    auth: authMethodToApi(account.authMethod),
    policy: {
      leaveOnServer: account.leaveOnServer,
      deleteAfterDays: account.deleteAfterDays,
      deleteWhenDeletedHere: account.deleteWhenDeletedHere,
      pollSeconds: account.pollSeconds,
      maxFullDownloadBytes: account.maxFullDownloadBytes,
    },
    tls: { caPem: account.tlsCaPem, pinSha256: account.tlsPinSha256 },
    status: account.status,
    disabled: account.disabled,
    lastSyncAt: account.lastSyncAt?.toISOString() ?? null,
    nextSyncAt: account.nextSyncAt.toISOString(),
    lastError: account.lastError,
    lastErrorCode: account.lastErrorCode,
    messageCount: counts.messageCount,
    unreadCount: counts.unreadCount,
    serverInfo: storedServerInfo(account.serverInfo),
    createdAt: account.createdAt.toISOString(),
    oauth,
  };
}
