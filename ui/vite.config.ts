/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  // Tauri loads the files from disk, so every asset path must be relative.
  base: './',
  plugins: [vue()],
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
})
