// Every group, in the order the kit runs them. A new group is one file here and one line below.
import type { Check } from '../types.js'
import { bootChecks } from './boot.js'
import { httpChecks } from './http.js'
import { interfaceChecks } from './interfaces.js'
import { lifecycleChecks } from './lifecycle.js'
import { metricsChecks } from './metrics.js'
import { proxyChecks } from './proxy.js'
import { runtimeChecks } from './runtime.js'
import { slowClientChecks } from './slow-clients.js'
import { strictChecks } from './strict.js'
import { timeoutChecks } from './timeout.js'
import { tlsChecks } from './tls.js'
import { websocketChecks } from './websocket.js'

export const GROUPS: Readonly<Record<string, readonly Check[]>> = {
  boot: bootChecks,
  interfaces: interfaceChecks,
  timeout: timeoutChecks,
  lifecycle: lifecycleChecks,
  http: httpChecks,
  runtime: runtimeChecks,
  metrics: metricsChecks,
  'slow-clients': slowClientChecks,
  strict: strictChecks,
  proxy: proxyChecks,
  websocket: websocketChecks,
  tls: tlsChecks,
}
