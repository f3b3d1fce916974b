export { Logger, timestamp } from './logger.js'
export { LogSink } from './log-sink.js'
export { AccessLog } from './access-log.js'
export { compileAccessFormat, clfTime, type AccessEntry, type AccessFormatter } from './access-format.js'
