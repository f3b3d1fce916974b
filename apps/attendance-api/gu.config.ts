// gu's settings for the attendance service; the command line and GU_CMD_ARGS override them.
import { defineConfig } from '@gu/core'
import { loadConfig } from './src/config.js'
import { resetSharedSnapshots } from './src/metrics/shared-snapshots.js'

export default defineConfig({
  bind: [`127.0.0.1:${process.env.PORT ?? 8000}`],
  workers: 2,
  workerClass: 'async',
  accesslog: '-',
  // Docker sends KILL 10 s after its stop signal: finish in-flight requests before that.
  gracefulTimeout: 8,
  // Metrics count from this start: drop the snapshots an earlier run left in the data directory.
  // Not in the new arbiter of an in-place upgrade (USR2): the old one's workers still count.
  onStarting: () => {
    if (!process.env.GU_PARENT_PID) resetSharedSnapshots(loadConfig().dataDir)
  },
})
