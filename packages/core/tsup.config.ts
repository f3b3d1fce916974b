import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.base'

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    'cli/bin': 'src/cli/bin.ts',
    'worker/entry': 'src/worker/entry.ts',
    'worker/watchdog-thread': 'src/worker/watchdog-thread.ts',
    'worker/reload-hooks': 'src/worker/reload-hooks.ts',
    'arbiter/listen-fds': 'src/arbiter/listen-fds.ts',
    'settings/write-docs': 'src/settings/write-docs.ts',
  }),
)
