import type { MessageListItem } from '@popgate/contracts';

/** The columns a list row is made of: never the bodies. */
export const listColumns = {
  id: true,
  accountId: true,
  subject: true,
  fromName: true,
  fromAddress: true,
  date: true,
  snippet: true,
  size: true,
  seen: true,
  flagged: true,
  hasAttachments: true,
} as const;

export interface ListColumns {
  id: string;
  accountId: string;
  subject: string;
  fromName: string;
  fromAddress: string;
  date: Date;
  snippet: string;
  size: number;
  seen: boolean;
  flagged: boolean;
  hasAttachments: boolean;
}

export const toListItem = (row: ListColumns): MessageListItem => ({
  id: row.id,
  accountId: row.accountId,
  subject: row.subject,
  from: { name: row.fromName, address: row.fromAddress },
  date: row.date.toISOString(),
  snippet: row.snippet,
  size: row.size,
  seen: row.seen,
  flagged: row.flagged,
  hasAttachments: row.hasAttachments,
});
