/**
 * The CLI's one error type. `usage` errors (bad arguments, unknown store or persona) exit with 2, as
 * shells and CI expect of a misused command; everything else (edge unreachable, timeout) exits with 1.
 */
export class CliError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, kind: "usage" | "failure" = "failure") {
    super(message);
    this.name = "CliError";
    this.exitCode = kind === "usage" ? 2 : 1;
  }
}

export const usageError = (message: string): CliError => new CliError(message, "usage");
