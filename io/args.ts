/**
 * Command-line options for the project's commands, read by Node's own parser (node:util
 * parseArgs), with the project's messages: the option, what is wrong, and what is allowed.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** may be given more than once; a string option also takes a comma-separated list */
  readonly multiple?: boolean;
  readonly short?: string;
}

type Values<S extends Record<string, OptionSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string;
};

/**
 * @param allowed the hint that ends every error, e.g. "allowed: --env NAME, --check"
 * @throws Error naming the option and what is allowed
 */
export function readOptions<S extends Record<string, OptionSpec>>(
  argv: readonly string[],
  spec: S,
  allowed: string,
): Values<S> {
  let values: Record<string, unknown>;
  let tokens: Array<{ kind: string; name?: string; value?: string }>;
  try {
    ({ values, tokens } = parseArgs({
      args: [...argv],
      options: spec as never,
      strict: true,
      allowPositionals: false,
      tokens: true,
    }) as { values: Record<string, unknown>; tokens: typeof tokens });
  } catch (e) {
    const { code, message } = e as { code?: string; message: string };
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? argv.find((a) => a.startsWith('-')) ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option ${option}; ${allowed}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`option ${option} needs a value; ${allowed}`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new Error(`${message.replace(/\.$/, '')}; ${allowed}`);
    throw e;
  }
  // Node's parser keeps the last of a repeated option: `--env prod --env dev` would quietly act on dev
  for (const [name, s] of Object.entries(spec)) {
    const given = tokens.filter((t) => t.kind === 'option' && t.name === name);
    if (!s.multiple && given.length > 1) {
      throw new Error(
        `option --${name} given ${given.length} times (${given.map((t) => t.value ?? 'true').join(', ')}); it takes one; ${allowed}`,
      );
    }
  }
  // a list option takes NAME,NAME as well as repeated options
  for (const [name, s] of Object.entries(spec)) {
    const v = values[name];
    if (s.type === 'string' && s.multiple && Array.isArray(v))
      values[name] = v.flatMap((x: string) => x.split(',').filter(Boolean));
  }
  return values as Values<S>;
}
