/**
 * Builds the console into web/dist (served by the API at `/`); `npm run dev -w web` proxies API
 * calls to a running `npm start` on port 3000.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.RETICULATE_API_URL ?? 'http://127.0.0.1:3000';
const apiPrefixes = ['/me', '/tasks', '/cases', '/persons', '/pathways', '/referrals', '/interventions', '/migrations', '/supervision', '/dashboards', '/reports', '/audit', '/oauth', '/.well-known', '/console-config', '/notifications'];

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: { proxy: Object.fromEntries(apiPrefixes.map((prefix) => [prefix, api])) },
});
