export { Arbiter, type ArbiterOptions } from './arbiter.js'
export { APP_LOAD_ERROR, EXIT_FAILURE, EXIT_OK, WORKER_BOOT_ERROR } from './exit-codes.js'
