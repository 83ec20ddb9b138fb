/** A configuration that cannot be used: every problem found, one line each, none with a secret in it. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(
    readonly problems: readonly string[],
    /** The config file, or null when the configuration came from the environment. */
    readonly source: string | null,
  ) {
    super(problems.join('\n'));
  }
}
