import { defineConfig } from 'vitest/config';

// Each workspace member has its own vitest.config.ts; `npm test` runs them all.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/server', 'apps/web', 'e2e'],
  },
});
