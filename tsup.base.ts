import type { Options } from 'tsup'

/** The one build shape every package shares: ESM for Node 20, types emitted, a clean dist. */
export function packageBuild(entry: Record<string, string>, extra: Options = {}): Options {
  return {
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    shims: false,
    ...extra,
  }
}
