import type { AccountOut, Me, MessageDetail, MessageListItem } from '@popgate/contracts';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** A message as it was last read online, ready to show without the network. */
export interface SavedMessage {
  id: string;
  detail: MessageDetail;
  /** The HTML as shown (remote images inlined when they were allowed), or null. */
  html: string | null;
  savedAt: number;
}

export interface SavedList {
  key: string;
  items: MessageListItem[];
  savedAt: number;
}

interface PopgateDb extends DBSchema {
  messages: { key: string; value: SavedMessage; indexes: { savedAt: number } };
  lists: { key: string; value: SavedList };
  kv: { key: string; value: unknown };
}

const DB_NAME = 'popgate';
/** Opened messages kept for offline reading; the oldest go first beyond this. */
const MAX_MESSAGES = 2000;
const MAX_LIST_ITEMS = 300;

let opening: Promise<IDBPDatabase<PopgateDb> | null> | null = null;

function db(): Promise<IDBPDatabase<PopgateDb> | null> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(null);
  opening ??= openDB<PopgateDb>(DB_NAME, 1, {
    upgrade(database) {
      const messages = database.createObjectStore('messages', { keyPath: 'id' });
      messages.createIndex('savedAt', 'savedAt');
      database.createObjectStore('lists', { keyPath: 'key' });
      database.createObjectStore('kv');
    },
  }).catch(() => null);
  return opening;
}

/** Plain data only: Vue proxies cannot be cloned into IndexedDB. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * What the app keeps on this device to work offline: the signed-in user, the accounts, the head
 * of each list it showed and every message it opened. All of it goes on sign-out.
 */
export const offlineDb = {
  async saveMessage(detail: MessageDetail, html: string | null): Promise<void> {
    const database = await db();
    if (!database) return;
    await database
      .put('messages', plain({ id: detail.id, detail, html, savedAt: Date.now() }))
      .catch(() => {});
    const total = await database.count('messages').catch(() => 0);
    if (total > MAX_MESSAGES) {
      const tx = database.transaction('messages', 'readwrite');
      let cursor = await tx.store.index('savedAt').openCursor();
      for (let extra = total - MAX_MESSAGES; cursor && extra > 0; extra--) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      await tx.done.catch(() => {});
    }
  },

  async message(id: string): Promise<SavedMessage | undefined> {
    return (await db())?.get('messages', id).catch(() => undefined);
  },

  /** Keeps a message's flags in step with the list while it is saved. */
  async updateMessage(id: string, change: Partial<MessageListItem & { trashed: boolean }>) {
    const database = await db();
    const saved = await database?.get('messages', id).catch(() => undefined);
    if (!database || !saved) return;
    await database
      .put('messages', plain({ ...saved, detail: { ...saved.detail, ...change } }))
      .catch(() => {});
  },

  async saveList(key: string, items: MessageListItem[]): Promise<void> {
    const database = await db();
    await database
      ?.put('lists', plain({ key, items: items.slice(0, MAX_LIST_ITEMS), savedAt: Date.now() }))
      .catch(() => {});
  },

  async list(key: string): Promise<SavedList | undefined> {
    return (await db())?.get('lists', key).catch(() => undefined);
  },

  async saveMe(me: Me | null): Promise<void> {
    const database = await db();
    if (!database) return;
    if (me) await database.put('kv', plain(me), 'me').catch(() => {});
    else await database.delete('kv', 'me').catch(() => {});
  },

  async me(): Promise<Me | undefined> {
    return (await (await db())?.get('kv', 'me').catch(() => undefined)) as Me | undefined;
  },

  async saveAccounts(accounts: AccountOut[]): Promise<void> {
    await (await db())?.put('kv', plain(accounts), 'accounts').catch(() => {});
  },

  async accounts(): Promise<AccountOut[] | undefined> {
    return (await (await db())?.get('kv', 'accounts').catch(() => undefined)) as
      AccountOut[] | undefined;
  },

  /** Signing out leaves nothing of the user's mail on this device. */
  async clear(): Promise<void> {
    const database = await db();
    if (!database) return;
    await Promise.all([
      database.clear('messages'),
      database.clear('lists'),
      database.clear('kv'),
    ]).catch(() => {});
  },
};
