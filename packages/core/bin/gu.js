#!/usr/bin/env node
// A committed launcher, so package managers can link `gu` before the first build.
import "../dist/cli/bin.js"
