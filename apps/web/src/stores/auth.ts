import type { Credentials, Me } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError } from '../api/client';
import { authApi } from '../api/endpoints';
import { offlineDb } from '../lib/offline-db';

/** Who is signed in. */
export const useAuthStore = defineStore('auth', () => {
  const endpoints = authApi(api);
  const me = ref<Me | null>(null);
  /** The first "who am I" has been answered (or could not be, offline). */
  const ready = ref(false);
  /** Signed in on the strength of what this device remembers: the server was not reachable. */
  const fromCache = ref(false);
  const signedIn = computed(() => me.value !== null);
  const isAdmin = computed(() => me.value?.role === 'admin');
  let checking: Promise<void> | null = null;

  function set(user: Me | null): void {
    me.value = user;
    fromCache.value = false;
    void offlineDb.saveMe(user);
  }

  /** Asks the server once; offline, trusts the user this device last saw. */
  function init(): Promise<void> {
    checking ??= (async () => {
      try {
        set(await endpoints.me());
      } catch (error) {
        if (error instanceof ApiError && error.isNetwork) {
          me.value = (await offlineDb.me()) ?? null;
          fromCache.value = me.value !== null;
        } else {
          me.value = null;
        }
      } finally {
        ready.value = true;
      }
    })();
    return checking;
  }

  /** Checks again (back online, or after a 401). */
  async function refresh(): Promise<void> {
    checking = null;
    await init();
  }

  async function signIn(credentials: Credentials): Promise<Me> {
    const user = await endpoints.signIn(credentials);
    // The session's CSRF token is new: ask for it before the next change.
    api.resetCsrf();
    set(user);
    return user;
  }

  async function signUp(credentials: Credentials): Promise<Me> {
    const user = await endpoints.signUp(credentials);
    // The session's CSRF token is new: ask for it before the next change.
    api.resetCsrf();
    set(user);
    return user;
  }

  /** Signs in once with the token of an admin's sign-in link. */
  async function signInWithLink(token: string): Promise<Me> {
    const user = await endpoints.signInWithLink({ token });
    // The session's CSRF token is new: ask for it before the next change.
    api.resetCsrf();
    set(user);
    return user;
  }

  async function signOut(): Promise<void> {
    try {
      await endpoints.signOut();
    } finally {
      forget();
      api.resetCsrf();
    }
  }

  /** The session is gone (signed out, or the server answered 401): nothing stays on the device. */
  function forget(): void {
    me.value = null;
    fromCache.value = false;
    void offlineDb.clear();
  }

  /** The current password is left out only by a user who has none yet (came by a link). */
  async function changePassword(
    currentPassword: string | undefined,
    newPassword: string,
  ): Promise<void> {
    await endpoints.changePassword({ currentPassword, newPassword });
  }

  return {
    me,
    ready,
    fromCache,
    signedIn,
    isAdmin,
    init,
    refresh,
    signIn,
    signUp,
    signInWithLink,
    signOut,
    forget,
    changePassword,
  };
});
