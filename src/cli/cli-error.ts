/** An error the CLI prints as one line on stderr, with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(`${message} (see "embedkeep help")`, 2);
