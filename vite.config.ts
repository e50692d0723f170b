// Builds the renderer (renderer/ → dist/renderer) and, after it, the preload bundle
// (preload/index.ts → dist/preload/index.cjs: sandboxed preloads must be one CommonJS file).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build, defineConfig, type Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

function preloadBundle(): Plugin {
  return {
    name: 'switchboard-preload-bundle',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        build: {
          outDir: path.join(root, 'dist', 'preload'),
          emptyOutDir: true,
          minify: false,
          sourcemap: false,
          lib: { entry: path.join(root, 'preload', 'index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
          rollupOptions: { external: ['electron'] },
        },
      });
    },
  };
}

export default defineConfig({
  root: path.join(root, 'renderer'),
  // Relative URLs: the same build is served by app://switchboard/ and by the daemon at /.
  base: './',
  plugins: [react(), preloadBundle()],
  build: {
    outDir: path.join(root, 'dist', 'renderer'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', strictPort: true },
});
