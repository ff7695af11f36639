// Builds the web console into dist/web-console, which the gateway serves at `/` (src/console/). Vite's
// cache goes to the system's temporary directory: node_modules may be shared between checkouts.
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  cacheDir: join(tmpdir(), 'vigil-console-vite-cache'),
  build: {
    outDir: resolve(here, '../dist/web-console'),
    emptyOutDir: true,
    // No inline scripts or styles: the console's Content-Security-Policy allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  worker: { format: 'es' },
});
