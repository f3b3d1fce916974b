import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test spawns real gu servers on a shared 2-core machine: one file at a time.
    fileParallelism: false,
    // Upper bounds only, for a loaded 2-core machine: -k threads loads the app in every thread.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
})
