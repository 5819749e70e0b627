import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// In development the API runs on the Popgate server; `vite` proxies to it.
export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target: process.env.POPGATE_URL ?? 'http://127.0.0.1:3000', ws: true },
      '/readyz': process.env.POPGATE_URL ?? 'http://127.0.0.1:3000',
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
