import type { ExportJobOut } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/**
 * Exports under way, as their export.progress events tell: a download of GET /api/export (the
 * browser shows no progress of its own: its length is not known in advance) and prepared files.
 */
export const useExportsStore = defineStore('exports', () => {
  const jobs = ref<Record<string, ExportJobOut>>({});
  /** The latest download announced (the one the page started, as a rule). */
  const lastStreamedId = ref<string | null>(null);

  function apply(job: ExportJobOut): void {
    jobs.value = { ...jobs.value, [job.id]: job };
    if (job.streamed) lastStreamedId.value = job.id;
  }

  const streamed = computed(() =>
    lastStreamedId.value ? (jobs.value[lastStreamedId.value] ?? null) : null,
  );

  return { jobs, streamed, apply };
});
