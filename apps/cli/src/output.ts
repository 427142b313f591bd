import { isParleyError } from '@parley/core';

/** Exit codes of the `parley` command. */
export const EXIT = { ok: 0, verifyFailed: 1, badInput: 2, internal: 3 } as const;

/** Thrown by a command to end the process with a code after printing its own message. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Prints an error as `parley: CODE: message` and returns the exit code for it. */
export function reportError(err: unknown): number {
  if (err instanceof Exit) return err.code;
  if (isParleyError(err)) {
    process.stderr.write(`parley: ${err.code}: ${err.message}\n`);
    return EXIT.badInput;
  }
  process.stderr.write(
    `parley: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return EXIT.internal;
}

export function print(line: string): void {
  process.stdout.write(line + '\n');
}
