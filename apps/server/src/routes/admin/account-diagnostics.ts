import type { AccountDiagnostics, CertificateSummary } from '@popgate/contracts';
import { storedServerInfo } from '../../accounts/server-info';
import type { Pop3Account } from '../../generated/prisma/client';

type TlsSummary = Omit<CertificateSummary, 'daysLeft'>;

/**
 * The server facts from the last check (capabilities, TLS certificate and its expiry, auth
 * mechanisms, LOGIN-DELAY, EXPIRE) and the warnings an admin should see.
 */
export function accountDiagnostics(account: Pop3Account): AccountDiagnostics {
  // Read as stored: the warnings use whatever facts they find.
  const info = (account.serverInfo ?? null) as
    | (Record<string, unknown> & { tls?: TlsSummary | null; expire?: number | 'never' | null })
    | null;
  const warnings: string[] = [];
  const expire = info?.expire ?? null;
  if (typeof expire === 'number' && account.leaveOnServer) {
    const keeps = account.deleteAfterDays;
    if (keeps === null || keeps > expire) {
      warnings.push(
        `The server deletes mail after ${expire} days (EXPIRE), but this account leaves mail on the server` +
          `${keeps === null ? '' : ` for ${keeps} days`}: the server will remove it first. Popgate keeps its own copy.`,
      );
    }
  }
  const validTo = info?.tls?.validTo ? new Date(info.tls.validTo) : null;
  const daysLeft = validTo ? Math.floor((validTo.getTime() - Date.now()) / 86_400_000) : null;
  if (daysLeft !== null && daysLeft < 0) warnings.push('The server certificate has expired.');
  else if (daysLeft !== null && daysLeft < 21)
    warnings.push(`The server certificate expires in ${daysLeft} days.`);
  if (account.security === 'none')
    warnings.push('The connection is not encrypted: the password travels in clear text.');
  return {
    checkedAt: account.lastSyncAt?.toISOString() ?? null,
    status: account.status,
    serverInfo: storedServerInfo(info),
    certificate: info?.tls ? { ...info.tls, daysLeft } : null,
    warnings,
  };
}
