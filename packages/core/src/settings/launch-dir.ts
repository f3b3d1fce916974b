/**
 * The directory gu was started in, read when this module loads — before the CLI changes to
 * `--chdir`. Config files, a relative `--chdir`, and a USR2-started arbiter resolve from here,
 * at start and on every reload alike.
 */
export const LAUNCH_DIR = process.cwd()
