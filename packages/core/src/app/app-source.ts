import type { PlainSettings } from '../settings/types.js'
import type { AppSource } from '../worker/types.js'

/** Where the settings say the app comes from. */
export function appSource(settings: Pick<PlainSettings, 'app' | 'chdir' | 'appInterface'>): AppSource {
  if (!settings.app) throw new Error('no APP_MODULE in the settings')
  return { module: settings.app, dir: settings.chdir, interface: settings.appInterface }
}
