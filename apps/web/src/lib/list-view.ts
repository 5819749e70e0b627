import type { MessageListItem, MessageListQuery, MessageSort } from '@popgate/contracts';

export type Mailbox =
  | { kind: 'inbox' }
  | { kind: 'flagged' }
  | { kind: 'trash' }
  | { kind: 'sent' }
  | { kind: 'account'; accountId: string };

/** What the message list shows: a mailbox, maybe searched, maybe only unread, in an order. */
export interface ListView {
  mailbox: Mailbox;
  q: string;
  unread: boolean;
  /** Unset or arrival: newest arrival first (a search: best match first). */
  sort?: MessageSort;
}

/** The order a view asks for, arrival when it asks for none. */
export const sortOf = (view: ListView): MessageSort => view.sort ?? 'arrival';

export function viewKey(view: ListView): string {
  const box =
    view.mailbox.kind === 'account' ? `account:${view.mailbox.accountId}` : view.mailbox.kind;
  return `${box}|${view.unread ? 'unread' : 'all'}|${sortOf(view)}|${view.q.trim()}`;
}

export function viewQuery(view: ListView): MessageListQuery {
  const query: MessageListQuery = {};
  if (view.mailbox.kind === 'account') query.accountId = view.mailbox.accountId;
  if (view.mailbox.kind === 'flagged') query.flagged = true;
  if (view.mailbox.kind === 'trash') query.trash = true;
  if (view.mailbox.kind === 'sent') query.folder = 'sent';
  if (view.q.trim()) query.q = view.q.trim();
  if (view.unread) query.unread = true;
  if (sortOf(view) !== 'arrival') query.sort = sortOf(view);
  return query;
}

/** Whether a message that just arrived belongs in a view (a search is the server's to decide). */
export function belongsTo(view: ListView, item: MessageListItem): boolean {
  // In another order new mail may belong anywhere, beyond the pages loaded: a refresh shows it.
  if (view.q.trim() || sortOf(view) !== 'arrival') return false;
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

const byId = (a: MessageListItem, b: MessageListItem, descending: boolean) =>
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * (descending ? -1 : 1);
const dateOf = (item: MessageListItem) => Date.parse(item.date) || 0;
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const senderKey = (item: MessageListItem) => fold(item.from.name || item.from.address);

/** How rows of a view follow each other, as the server orders them (messages/list-order.ts). */
export function compareFor(sort: MessageSort): (a: MessageListItem, b: MessageListItem) => number {
  switch (sort) {
    case 'arrival':
      return newerFirst;
    case 'date':
      return (a, b) => dateOf(b) - dateOf(a) || byId(a, b, true);
    case 'size':
      return (a, b) => b.size - a.size || byId(a, b, true);
    case 'sender':
      return (a, b) => {
        const x = senderKey(a);
        const y = senderKey(b);
        return x < y ? -1 : x > y ? 1 : byId(a, b, false);
      };
  }
}

/** The orders offered in the list header, with their names. */
export const SORT_LABELS: Record<MessageSort, string> = {
  arrival: 'Newest first',
  date: 'By date sent',
  sender: 'By sender',
  size: 'Largest first',
};
