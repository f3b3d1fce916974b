#!/usr/bin/env node
// A committed launcher, so package managers can link `gu-testkit` before the first build.
import '../dist/cli.js'
