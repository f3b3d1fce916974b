export { default } from './threads-worker.js'
export { defaultThreads, poolOptions, type PoolOptions } from './options.js'
