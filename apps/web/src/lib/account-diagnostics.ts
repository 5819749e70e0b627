import type { AccountDiagnostics } from '@popgate/contracts';
import { describeServerInfo, type InfoRow } from './server-info';

/** "expires in 40 days", "expired 3 days ago": how long the server's certificate has left. */
export function certificateExpiry(daysLeft: number | null): string | null {
  if (daysLeft === null) return null;
  if (daysLeft < 0) return `expired ${-daysLeft} ${-daysLeft === 1 ? 'day' : 'days'} ago`;
  if (daysLeft === 0) return 'expires today';
  return `expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'}`;
}

/** The facts to list: the server's own (capabilities, auth, LOGIN-DELAY, EXPIRE) and its TLS. */
export function diagnosticsRows(diagnostics: AccountDiagnostics): InfoRow[] {
  const rows = describeServerInfo(diagnostics.serverInfo);
  const expiry = certificateExpiry(diagnostics.certificate?.daysLeft ?? null);
  const validTo = diagnostics.certificate?.validTo;
  if (validTo && expiry) {
    const index = rows.findIndex((row) => row.label === 'Certificate valid until');
    const row = { label: 'Certificate valid until', value: `${validTo} (${expiry})` };
    if (index >= 0) rows.splice(index, 1, row);
    else rows.push(row);
  }
  return rows;
}
