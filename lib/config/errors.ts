/**
 * Config errors: where (environment, file, field), what was given and what is allowed.
 */
import { escapeUnprintable, printableJson } from '../yaml';

/** Where a config value came from: used in every error message. */
export interface ConfigSource {
  /** environment name, e.g. `prod` */
  readonly environment: string;
  /**
   * file path as the user knows it, e.g. `config/prod.yaml`; `config/_base.yaml and
   * config/prod.yaml` for a mapping both files set
   */
  readonly file: string;
}

/** the most characters of a value a message echoes: enough to recognise it, too few to flood a log */
export const MAX_SHOWN = 80;
// a message names a field and echoes at most a few values; beyond this it is cut, whatever made it
const MAX_FIELD = 200;
const MAX_PROBLEM = 1000;

/**
 * A value as messages show it: in double quotes, unprintable characters escaped (no control
 * code reaches a terminal or a CI log), and at most MAX_SHOWN characters of it.
 */
export function shown(text: string): string {
  if (text.length <= MAX_SHOWN) return printableJson(text);
  // a surrogate pair is not cut in two
  const cut = /[\uD800-\uDBFF]/.test(text[MAX_SHOWN - 1]) ? MAX_SHOWN - 1 : MAX_SHOWN;
  return `${printableJson(text.slice(0, cut))}... (${text.length} characters)`;
}

function bounded(text: string, max: number): string {
  const printable = escapeUnprintable(text);
  return printable.length <= max ? printable : `${printable.slice(0, max - 3)}...`;
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
      `config error in environment "${source.environment}" (${source.file}), field ${bounded(field || '(root)', MAX_FIELD)}: ${bounded(problem, MAX_PROBLEM)}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * A value that works but is likely wrong (a placeholder): the command line prints it on stderr
 * and the run goes on. Where, what and what is meant, as a ConfigError says it.
 */
export class ConfigWarning {
  readonly message: string;
  constructor(
    readonly source: ConfigSource,
    readonly field: string,
    readonly problem: string,
  ) {
    this.message = `config warning in environment "${source.environment}" (${source.file}), field ${bounded(field || '(root)', MAX_FIELD)}: ${bounded(problem, MAX_PROBLEM)}`;
  }
}

/** the most problems a message lists: past that, a count */
export const MAX_REPORTED = 20;

/** every problem of one run, each a ConfigError, one per line (at most MAX_REPORTED of them) */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    const more = errors.length - MAX_REPORTED;
    super(
      [
        ...errors.slice(0, MAX_REPORTED).map((e) => e.message),
        ...(more > 0 ? [`and ${more} more config errors`] : []),
      ].join('\n'),
    );
    this.name = 'ConfigErrors';
  }
}
