/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import ElementPlus from 'unplugin-element-plus/vite'

export default defineConfig(({ mode }) => ({
  // Tauri loads the files from disk, so every asset path must be relative.
  base: './',
  // Each Element Plus component brings its own styles where a screen imports it: the first screen
  // no longer parses the whole theme (366 kB of CSS; docs/benchmarks.md, issue 18). Not under
  // vitest, whose Node cannot import a stylesheet and whose tests look at no style.
  plugins: [vue(), mode === 'test' ? null : ElementPlus({})],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: 'dist',
    target: 'es2021',
    chunkSizeWarningLimit: 800,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    // The labels the app loads at start (ui/src/lib/labels.ts).
    setupFiles: ['tests/setup.ts'],
    // Mounting a whole Element Plus form takes seconds on a busy 2-core CI machine.
    testTimeout: 30_000,
  },
}))
