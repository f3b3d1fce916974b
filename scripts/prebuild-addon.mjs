#!/usr/bin/env node
// The prebuilt binaries a native package ships (docs/native-addons.md): run from the package's
// directory by its build script. Always this machine's own binary; then each cross target whose
// Debian toolchain is installed (apt-get install gcc-aarch64-linux-gnu musl-tools), saying which
// it skipped. A binary that turns out not to load where it lands costs only the fallback: the
// install script builds from source, or the package warns at start.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const prebuildify = join(dirname(require.resolve('prebuildify/package.json')), 'bin.js')
const common = ['--napi', '--strip', '--tag-libc']

/** Cross targets from an x86-64 glibc Debian host: the compiler names them, no headers needed but Node's. */
const CROSS = [
  { name: 'linux-arm64 (glibc)', args: ['--arch', 'arm64'], cc: 'aarch64-linux-gnu-gcc', strip: 'aarch64-linux-gnu-strip', package: 'gcc-aarch64-linux-gnu' },
  { name: 'linux-x64 (musl)', args: ['--libc', 'musl'], cc: 'musl-gcc', strip: 'strip', package: 'musl-tools' },
]

const onPath = (command) => (process.env.PATH ?? '').split(delimiter).some((dir) => spawnSync('test', ['-x', join(dir, command)]).status === 0)

function run(args, env = {}) {
  const result = spawnSync(process.execPath, [prebuildify, ...common, ...args], { stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status === 0
}

// From scratch, so a binary from an earlier build (a toolchain since removed) never ships.
rmSync('prebuilds', { recursive: true, force: true })

// Cross targets first: each rebuilds build/, and the host's own build must be the one left there
// (node-gyp-build loads build/Release before prebuilds/, in this repository).
if (process.platform === 'linux' && process.arch === 'x64') {
  for (const target of CROSS) {
    if (!onPath(target.cc)) {
      const missing = `${target.name}: no ${target.cc} (apt-get install ${target.package})`
      // A release must ship every binary (pnpm release sets this); a development build needn't.
      if (process.env.GU_PREBUILD_ALL === '1') {
        console.error(`prebuild: can't build ${missing}`)
        process.exit(1)
      }
      console.log(`prebuild: skipped ${missing}`)
      continue
    }
    const env = { CC: target.cc, LINK: target.cc, PREBUILD_STRIP_BIN: target.strip }
    if (!run(target.args, env)) process.exit(1)
    console.log(`prebuild: built ${target.name} with ${target.cc}`)
  }
}
if (!run([])) process.exit(1)
