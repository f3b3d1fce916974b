/** Exit codes gu uses, as Gunicorn's. */
export const EXIT_OK = 0
/** A usage or config error, a bind failure, or a stop that had to kill workers. */
export const EXIT_FAILURE = 1
/** A worker could not boot (its worker class failed): the arbiter halts with the same code. */
export const WORKER_BOOT_ERROR = 3
/** A worker could not load the app: the arbiter halts with the same code. */
export const APP_LOAD_ERROR = 4
