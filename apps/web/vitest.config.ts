import vue from '@vitejs/plugin-vue';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [vue()],
  test: {
    name: 'web',
    environment: 'happy-dom',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
  },
});
