/**
 * Builds the console into web/dist, which the API serves at `/` from its own origin (the embedded
 * issuer's only redirect URI is there, so the console is not run from another dev server).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    // The pathway diagram's chunk (React Flow + dagre) is large by itself and loads only with the diagram.
    chunkSizeWarningLimit: 900,
  },
});
