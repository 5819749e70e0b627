import type { AdminUser, AdminUserCreate, AdminUserCreated, Role } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { adminApi } from '../api/endpoints';

const byEmail = (a: AdminUser, b: AdminUser) => a.email.localeCompare(b.email);

/** The admin console's users: search, create, disable and enable, sign out, promote, demote, delete. */
export const useAdminUsersStore = defineStore('admin-users', () => {
  const endpoints = adminApi(api);
  const users = ref<AdminUser[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function load(q = ''): Promise<void> {
    loading.value = true;
    try {
      users.value = (await endpoints.users(q.trim() ? { q: q.trim() } : {})).items;
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    } finally {
      loaded.value = true;
      loading.value = false;
    }
  }

  function replace(user: AdminUser): void {
    const index = users.value.findIndex((candidate) => candidate.id === user.id);
    if (index >= 0) users.value.splice(index, 1, user);
    else users.value = [...users.value, user].sort(byEmail);
  }

  async function create(input: AdminUserCreate): Promise<AdminUserCreated> {
    const created = await endpoints.createUser(input);
    replace(created.user);
    return created;
  }

  async function setRole(id: string, role: Role): Promise<AdminUser> {
    const user = await endpoints.updateUser(id, { role });
    replace(user);
    return user;
  }

  async function setDisabled(id: string, disabled: boolean): Promise<AdminUser> {
    const user = await endpoints.updateUser(id, { disabled });
    replace(user);
    return user;
  }

  function signOutEverywhere(id: string): Promise<void> {
    return endpoints.signOutUser(id);
  }

  /** Deletes the user with everything of theirs (the server keeps the last admin). */
  async function remove(id: string): Promise<void> {
    await api.delete<void>(`/api/admin/users/${encodeURIComponent(id)}`);
    users.value = users.value.filter((user) => user.id !== id);
  }

  return {
    users,
    loaded,
    loading,
    error,
    load,
    create,
    setRole,
    setDisabled,
    signOutEverywhere,
    remove,
  };
});
