import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
  action?: { label: string; run: () => void };
  /** More than one way out (a message not sent: Retry, Edit), shown after `action`. */
  actions?: { label: string; run: () => void }[];
}

const THEME_KEY = 'popgate.theme';
const NOTIFY_KEY = 'popgate.notifications';
const NOTIFY_ASKED_KEY = 'popgate.notifications.asked';

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this visit.
  }
}

const prefersDark = () =>
  typeof window !== 'undefined' && !!window.matchMedia?.('(prefers-color-scheme: dark)').matches;

/** Preferences (theme, notifications) and passing UI state: toasts, overlays, the phone drawer. */
export const useUiStore = defineStore('ui', () => {
  const stored = readStorage(THEME_KEY);
  const theme = ref<ThemeChoice>(stored === 'light' || stored === 'dark' ? stored : 'system');
  const systemDark = ref(prefersDark());
  const effectiveTheme = computed<'light' | 'dark'>(() =>
    theme.value === 'system' ? (systemDark.value ? 'dark' : 'light') : theme.value,
  );

  if (typeof window !== 'undefined' && window.matchMedia) {
    window
      .matchMedia('(prefers-color-scheme: dark)')
      .addEventListener?.('change', (event) => (systemDark.value = event.matches));
  }

  /** The stylesheet's colours follow html[data-theme]: always the theme in effect. */
  function applyTheme(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.dataset.theme = effectiveTheme.value;
  }
  watch(theme, (value) => writeStorage(THEME_KEY, value));
  watch(effectiveTheme, applyTheme, { flush: 'sync' });
  applyTheme();

  function setTheme(choice: ThemeChoice): void {
    theme.value = choice;
  }
  /** The header's switch: to the other of light and dark. */
  function toggleTheme(): void {
    theme.value = effectiveTheme.value === 'dark' ? 'light' : 'dark';
  }

  // Desktop notifications: wanted by the user, and allowed by the browser.
  const notificationsWanted = ref(readStorage(NOTIFY_KEY) === 'on');
  const notificationPermission = ref<NotificationPermission | 'unsupported'>(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  const notificationsOn = computed(
    () => notificationsWanted.value && notificationPermission.value === 'granted',
  );
  /** Called from a click: browsers ask only after a user gesture. */
  async function enableNotifications(): Promise<boolean> {
    if (typeof Notification === 'undefined') return false;
    const permission =
      Notification.permission === 'default'
        ? await Notification.requestPermission()
        : Notification.permission;
    notificationPermission.value = permission;
    notificationsWanted.value = permission === 'granted';
    writeStorage(NOTIFY_KEY, notificationsWanted.value ? 'on' : 'off');
    return notificationsWanted.value;
  }
  function disableNotifications(): void {
    notificationsWanted.value = false;
    writeStorage(NOTIFY_KEY, 'off');
  }
  /** The sidebar offers notifications once; "No thanks" is remembered. */
  const notificationOfferDismissed = ref(readStorage(NOTIFY_ASKED_KEY) === 'yes');
  const offerNotifications = computed(
    () =>
      notificationPermission.value === 'default' &&
      !notificationsWanted.value &&
      !notificationOfferDismissed.value,
  );
  function dismissNotificationOffer(): void {
    notificationOfferDismissed.value = true;
    writeStorage(NOTIFY_ASKED_KEY, 'yes');
  }

  const toasts = ref<Toast[]>([]);
  let nextToast = 1;
  function toast(
    text: string,
    options: {
      kind?: Toast['kind'];
      action?: Toast['action'];
      actions?: Toast['actions'];
      timeout?: number;
    } = {},
  ): number {
    const id = nextToast++;
    toasts.value.push({
      id,
      text,
      kind: options.kind ?? 'info',
      action: options.action,
      ...(options.actions ? { actions: options.actions } : {}),
    });
    if (toasts.value.length > 4) toasts.value.shift();
    const timeout = options.timeout ?? (options.action || options.actions ? 8000 : 5000);
    if (timeout > 0) setTimeout(() => dismiss(id), timeout);
    return id;
  }
  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id);
  }
  function error(error: unknown): void {
    toast(error instanceof Error ? error.message : String(error), { kind: 'error' });
  }

  const helpOpen = ref(false);
  const drawerOpen = ref(false);

  return {
    theme,
    effectiveTheme,
    setTheme,
    toggleTheme,
    notificationsWanted,
    notificationPermission,
    notificationsOn,
    enableNotifications,
    disableNotifications,
    offerNotifications,
    dismissNotificationOffer,
    toasts,
    toast,
    dismiss,
    error,
    helpOpen,
    drawerOpen,
  };
});
