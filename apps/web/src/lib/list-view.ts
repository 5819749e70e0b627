import type { MessageListItem, MessageListQuery } from '@popgate/contracts';

export type Mailbox =
  | { kind: 'inbox' }
  | { kind: 'flagged' }
  | { kind: 'trash' }
  | { kind: 'sent' }
  | { kind: 'account'; accountId: string };

/** What the message list shows: a mailbox, maybe searched, maybe only unread. */
export interface ListView {
  mailbox: Mailbox;
  q: string;
  unread: boolean;
}

export function viewKey(view: ListView): string {
  const box =
    view.mailbox.kind === 'account' ? `account:${view.mailbox.accountId}` : view.mailbox.kind;
  return `${box}|${view.unread ? 'unread' : 'all'}|${view.q.trim()}`;
}

export function viewQuery(view: ListView): MessageListQuery {
  const query: MessageListQuery = {};
  if (view.mailbox.kind === 'account') query.accountId = view.mailbox.accountId;
  if (view.mailbox.kind === 'flagged') query.flagged = true;
  if (view.mailbox.kind === 'trash') query.trash = true;
  if (view.mailbox.kind === 'sent') query.folder = 'sent';
  if (view.q.trim()) query.q = view.q.trim();
  if (view.unread) query.unread = true;
  return query;
}

/** Whether a message that just arrived belongs in a view (a search is the server's to decide). */
export function belongsTo(view: ListView, item: MessageListItem): boolean {
  if (view.q.trim()) return false;
  if (view.unread && item.seen) return false;
  switch (view.mailbox.kind) {
    case 'inbox':
      return true;
    case 'flagged':
      return item.flagged;
    case 'trash':
    case 'sent':
      // New mail is received mail; what was sent comes in with message.sent.
      return false;
    case 'account':
      return item.accountId === view.mailbox.accountId;
  }
}

/** The list's order is arrival in Popgate (receivedAt); the Date header when a row lacks it. */
const time = (item: MessageListItem) => {
  const value = Date.parse(item.receivedAt ?? item.date);
  return Number.isNaN(value) ? 0 : value;
};
/** Newest arrival first, as the server pages them; ties by id. */
export function newerFirst(a: MessageListItem, b: MessageListItem): number {
  return time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
