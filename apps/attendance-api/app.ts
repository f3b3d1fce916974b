// The attendance service, as gu loads it: `gu app:app` (see gu.config.ts for the defaults).
import { loadConfig } from './src/config.js'
import { createApp } from './src/create-app.js'

export const app = createApp(loadConfig())
