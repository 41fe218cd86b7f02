/**
 * `node <process>/dist/main.js --check`: does this install start? Without connecting to anything.
 *
 * A process entry's static imports are loaded before its first line runs, so by the time a check
 * runs, a package missing from a production install (`npm ci --omit=dev`, the Dockerfile's prune)
 * has already stopped the process with "Cannot find module". What is left to check is what the
 * process reads before it connects: its configuration, and the files the configuration names
 * (certificates, keys). The check runs exactly that, says so in one line and exits 0, or lists
 * the problems and exits 1: a deployment step (scripts/check-production-install.sh in CI, an
 * image's build, an init container) can refuse a broken install or a wrong setting before
 * anything is rolled out.
 */
import { ConfigError } from './env-reader';

export const CHECK_FLAG = '--check';

/** Whether the process was started with `--check` (after the script's path: `node main.js --check`). */
export function checkRequested(argv: readonly string[] = process.argv): boolean {
  return argv.slice(2).includes(CHECK_FLAG);
}

export interface StartupCheckResult {
  ok: boolean;
  /** One line when it passed; the problems, one a line, when it did not. */
  message: string;
}

/**
 * Runs `check` (reads the configuration and whatever else the process reads before it connects)
 * and tells the outcome. A {@link ConfigError} lists its problems; anything else thrown is a
 * failure too, with its message.
 */
export function runStartupCheck(application: string, check: () => unknown): StartupCheckResult {
  try {
    check();
  } catch (error) {
    const reason = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { ok: false, message: `${application}: check failed: ${reason}` };
  }
  const profile = process.env.NODE_ENV?.trim() || 'production (NODE_ENV unset)';
  return { ok: true, message: `${application}: check passed: every module loaded, configuration valid (NODE_ENV=${profile})` };
}

/** The `--check` run of a process entry: the outcome on stdout (passed) or stderr (failed), then exit 0 or 1. */
export function exitAfterStartupCheck(application: string, check: () => unknown): never {
  const result = runStartupCheck(application, check);
  if (result.ok) console.log(result.message);
  else console.error(result.message);
  process.exit(result.ok ? 0 : 1);
}
