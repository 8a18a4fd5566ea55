// One multi-page build for every web app; each app is an HTML entry in
// client/pages/. Output: dist/client, served statically by the control
// service and by every media node.
import { readdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const pagesDir = resolve(here, 'pages');
const input = Object.fromEntries(
  readdirSync(pagesDir)
    .filter((f) => f.endsWith('.html'))
    .map((f) => [f.replace(/\.html$/, ''), resolve(pagesDir, f)]),
);

export default defineConfig({
  root: pagesDir,
  base: '/',
  build: {
    outDir: resolve(here, '../dist/client'),
    emptyOutDir: true,
    rollupOptions: { input },
    chunkSizeWarningLimit: 1500,
  },
});
