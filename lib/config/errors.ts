/**
 * Config errors: where (environment, file, field), what was given and what is allowed.
 */

/** Where a config value came from: used in every error message. */
export interface ConfigSource {
  /** environment name, e.g. `prod` */
  readonly environment: string;
  /** file path as the user knows it, e.g. `config/prod.yaml` */
  readonly file: string;
}

/**
 * A configuration problem, with where it is, what was given and what is allowed.
 * main.ts prints `message` and exits non-zero.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: ConfigSource,
    readonly field: string,
    readonly problem: string,
  ) {
    super(
      `config error in environment "${source.environment}" (${source.file}), field ${field || '(root)'}: ${problem}`,
    );
    this.name = 'ConfigError';
  }
}

/** every problem of one run, each a ConfigError, one per line */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}
