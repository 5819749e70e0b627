import type { AuditEntryOut } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { api } from '../api/client';
import { adminApi } from '../api/endpoints';

/** A day ("2026-03-01") from a date field, as the start or the end of that day in local time. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The audit log: who did what, when, from where; filtered, and exported as CSV. */
export const useAdminAuditStore = defineStore('admin-audit', () => {
  const endpoints = adminApi(api);
  const entries = ref<AuditEntryOut[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const filters = reactive({ action: '', actor: '', since: '', until: '' });

  const query = computed(() => ({
    action: filters.action.trim() || undefined,
    actor: filters.actor.trim() || undefined,
    since: dayBound(filters.since, false),
    until: dayBound(filters.until, true),
  }));
  const csvUrl = computed(() => endpoints.auditCsvUrl({ ...query.value, limit: 10_000 }));

  async function load(): Promise<void> {
    loading.value = true;
    try {
      entries.value = (await endpoints.audit(query.value)).items;
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    } finally {
      loaded.value = true;
      loading.value = false;
    }
  }

  return { entries, loaded, loading, error, filters, csvUrl, load };
});
