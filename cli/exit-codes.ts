// Exit codes that scripts can rely on; documented in the README.
export const EXIT = {
  ok: 0,
  /** The operation ended without reaching its goal (failed, aborted, skipped, refused). */
  failed: 1,
  /** Bad command line or input; nothing was started. */
  usage: 2,
  /** The operation is waiting for an operator's decision. */
  waiting: 3,
  /** No such workflow. */
  notFound: 4,
  /** Temporal could not be reached. */
  unreachable: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
