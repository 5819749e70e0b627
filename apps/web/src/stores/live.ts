import type { EventStreamMessage, MessageListItem, ServerEvent } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { senderName } from '../lib/format';
import { useAccountsStore } from './accounts';
import { useMessageChangesStore } from './message-changes';
import { useConversationsStore } from './conversations';
import { useExportsStore } from './exports';
import { useMessageListStore } from './message-list';
import { useOutboxStore } from './outbox';
import { useUiStore } from './ui';

/** The contracts' EVENT_STREAM_CLOSE.sessionEnded: signed out elsewhere, sign in again. */
export const SESSION_ENDED_CLOSE = 4401;

export type Connection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline';

/** What the live connection needs of a WebSocket; tests give it a fake. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface LiveHooks {
  openMessage(id: string): void;
  sessionEnded(): void;
}

/** Waits between reconnection attempts: 1 s, 2 s, 4 s… up to 30 s, with some jitter. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

function eventsUrl(lastEventId: string | null): string {
  const { protocol, host } = window.location;
  const scheme = protocol === 'https:' ? 'wss:' : 'ws:';
  const query = lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : '';
  return `${scheme}//${host}/api/events${query}`;
}

const isServerEvent = (message: EventStreamMessage): message is ServerEvent =>
  'id' in message && 'payload' in message;

/**
 * The websocket of live events: new mail, flag changes, sync progress, account states. It
 * reconnects with backoff after a drop and resumes after the last event it saw; the server
 * replays what was missed (or asks for a reload), so nothing is lost while away.
 */
export const useLiveStore = defineStore('live', () => {
  const connection = ref<Connection>('idle');
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine !== false);
  const lastEventId = ref<string | null>(null);
  const attempts = ref(0);

  let factory: SocketFactory = (url) => new WebSocket(url);
  let hooks: LiveHooks = { openMessage: () => {}, sessionEnded: () => {} };
  let socket: SocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let wanted = false;
  let everLive = false;

  function configure(options: { factory?: SocketFactory; hooks?: Partial<LiveHooks> }): void {
    if (options.factory) factory = options.factory;
    if (options.hooks) hooks = { ...hooks, ...options.hooks };
  }

  function start(): void {
    wanted = true;
    if (socket || retryTimer) return;
    connect();
  }

  function stop(): void {
    wanted = false;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const current = socket;
    socket = null;
    current?.close(1000, 'bye');
    connection.value = 'idle';
    attempts.value = 0;
    lastEventId.value = null;
    everLive = false;
    flushNew();
  }

  function connect(): void {
    retryTimer = null;
    if (!wanted) return;
    connection.value = everLive ? 'reconnecting' : 'connecting';
    let current: SocketLike;
    try {
      current = factory(eventsUrl(lastEventId.value));
    } catch {
      scheduleReconnect();
      return;
    }
    socket = current;
    current.onmessage = (event) => {
      if (socket !== current) return;
      try {
        receive(JSON.parse(String(event.data)) as EventStreamMessage);
      } catch {
        // A message this version does not understand: skip it.
      }
    };
    current.onopen = () => {
      if (socket !== current) return;
      const resumed = everLive;
      everLive = true;
      attempts.value = 0;
      connection.value = 'live';
      online.value = true;
      // Missed events are replayed first; times and counts are worth a fresh look as well.
      if (resumed) useAccountsStore().scheduleRefresh(0);
    };
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = null;
      if (event.code === SESSION_ENDED_CLOSE) {
        wanted = false;
        connection.value = 'idle';
        hooks.sessionEnded();
        return;
      }
      scheduleReconnect();
    };
    current.onerror = () => {
      // A close event follows.
    };
  }

  function scheduleReconnect(): void {
    if (!wanted) return;
    connection.value = online.value ? 'reconnecting' : 'offline';
    if (!online.value) return; // the online event brings it back
    const delay = backoffMs(attempts.value);
    attempts.value++;
    retryTimer = setTimeout(connect, delay);
  }

  /** The browser says the network is back: try now, not at the end of the backoff. */
  function setOnline(value: boolean): void {
    online.value = value;
    if (!wanted) return;
    if (value && !socket) {
      if (retryTimer) clearTimeout(retryTimer);
      attempts.value = 0;
      connect();
    } else if (!value && connection.value !== 'live') {
      connection.value = 'offline';
    }
  }

  function receive(message: EventStreamMessage): void {
    const accounts = useAccountsStore();
    if (message.type === 'ready') {
      if (message.lastEventId) lastEventId.value = message.lastEventId;
      return;
    }
    if (message.type === 'resync') {
      if (message.lastEventId) lastEventId.value = message.lastEventId;
      void accounts.load();
      void useMessageListStore().refreshHead();
      return;
    }
    if (!isServerEvent(message)) return;
    lastEventId.value = message.id;
    switch (message.type) {
      case 'message.new':
        queueNew(message.payload);
        break;
      case 'message.updated':
        flushNew();
        useMessageChangesStore().applyUpdated(message.payload);
        void useConversationsStore().refresh();
        break;
      case 'sync.progress':
        accounts.applyProgress(message.payload);
        break;
      case 'account.status':
        accounts.applyStatus(message.payload);
        break;
      case 'outbox.status':
        useOutboxStore().apply(message.payload);
        break;
      case 'export.progress':
        useExportsStore().apply(message.payload);
        break;
      case 'message.sent': {
        // The copy in Sent: the Sent list shows it (its head is read again, in order).
        const list = useMessageListStore();
        if (list.view.mailbox.kind === 'sent' && !list.has(message.payload.message.id)) {
          void list.refreshHead();
        }
        break;
      }
    }
  }

  // New mail comes in bursts (a first sync brings thousands): it is merged and announced in
  // batches, one toast for the lot.
  let pending: MessageListItem[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  function queueNew(item: MessageListItem): void {
    pending.push(item);
    flushTimer ??= setTimeout(flushNew, 150);
  }
  function flushNew(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const arrived = useMessageChangesStore().applyNew(batch);
    void useConversationsStore().refresh();
    // A first sync brings the whole mailbox: its progress bar says so, not a toast.
    const accounts = useAccountsStore();
    const firstSync = (accountId: string) => accounts.byId.get(accountId)?.lastSyncAt === null;
    announce(arrived.filter((item) => !item.seen && !firstSync(item.accountId)));
  }

  let announced = { toastId: 0, count: 0 };
  function announce(unread: MessageListItem[]): void {
    if (unread.length === 0) return;
    const ui = useUiStore();
    const stillShown = ui.toasts.some((toast) => toast.id === announced.toastId);
    const count = (stillShown ? announced.count : 0) + unread.length;
    if (stillShown) ui.dismiss(announced.toastId);
    const newest = unread[0]!;
    const text =
      count === 1
        ? `New message from ${senderName(newest.from)}: ${newest.subject || '(no subject)'}`
        : `${count} new messages`;
    const toastId = ui.toast(text, {
      action: count === 1 ? { label: 'Open', run: () => hooks.openMessage(newest.id) } : undefined,
      timeout: 6000,
    });
    announced = { toastId, count };
    if (ui.notificationsOn && typeof document !== 'undefined' && document.hidden) {
      try {
        const notification = new Notification(count === 1 ? senderName(newest.from) : 'Popgate', {
          body: count === 1 ? newest.subject || '(no subject)' : text,
          tag: 'popgate-new-mail',
        });
        notification.onclick = () => {
          window.focus();
          if (count === 1) hooks.openMessage(newest.id);
          notification.close();
        };
      } catch {
        // Some browsers allow notifications only from a service worker; the toast remains.
      }
    }
  }

  return {
    connection,
    online,
    lastEventId,
    attempts,
    configure,
    start,
    stop,
    setOnline,
    receive,
    flushNew,
  };
});
