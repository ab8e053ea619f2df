/**
 * Exit codes a script can trust: 0 success (and `--help`, `--version`), 1 a runtime failure
 * (bad data, an unwritable output, a failed run), 2 a usage error (unknown command or flag, a
 * missing or malformed argument, flags that do not go together).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A usage problem found after parsing (flags that do not go together): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
