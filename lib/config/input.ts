/**
 * A config file's text to plain data, bounded and clean: YAML read as the project reads all YAML
 * (lib/yaml.ts: YAML 1.2 core schema, nesting bounded, no aliases), no longer than a config file
 * has reason to be, and no string holding a character the engines would not read back the same,
 * nor a key a JavaScript object cannot hold as data.
 */
import { CONTROL_CHARACTER, readYaml, YamlReadError } from '../yaml';
import { ConfigError, ConfigErrors, shown, type ConfigSource } from './errors';
import { unknownKeyError } from './messages';

/**
 * The largest config file read: thirty times the largest committed one (2 KiB). The YAML reader
 * takes about 0.2 s for the worst text of this size (64 KiB of syntax errors, each an Error).
 */
export const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * The file's one YAML document, every string and key checked.
 * @throws ConfigError for a text too long or YAML that does not read, ConfigErrors for the
 * strings and keys refused
 */
export function readConfigData(text: string, source: ConfigSource): unknown {
  // characters, not bytes: a text longer than this is longer in UTF-8 too
  if (text.length > MAX_CONFIG_BYTES)
    throw new ConfigError(
      source,
      '',
      `got ${text.length} characters; allowed: a file of at most ${MAX_CONFIG_BYTES} bytes`,
    );
  let data: unknown;
  try {
    data = readYaml(text);
  } catch (e) {
    if (!(e instanceof YamlReadError)) throw e;
    const where = e.position ? `line ${e.position.line}, column ${e.position.column}` : 'unknown position';
    throw new ConfigError(source, '(yaml)', `YAML syntax error at ${where}: ${e.reason}`);
  }
  const errors: ConfigError[] = [];
  checkStrings(data, [], source, errors);
  if (errors.length > 0) throw new ConfigErrors(errors);
  return data;
}

function checkStrings(value: unknown, path: readonly string[], source: ConfigSource, errors: ConfigError[]): void {
  if (typeof value === 'string') {
    const error = characterError(value, 'string', path, source);
    if (error) errors.push(error);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const at = [...path, key];
    // JavaScript objects take "__proto__" for their prototype: zod drops such a record key
    if (key === '__proto__') errors.push(unknownKeyError(path, key, source));
    const error = characterError(key, 'key', at, source);
    if (error) errors.push(error);
    checkStrings(child, at, source, errors);
  }
}

/**
 * Control characters (C0 but tab and line feed, DEL, C1 with NEL), line and paragraph
 * separators, byte order marks, lone surrogates and noncharacters are refused: in a config
 * they are a paste accident or an attack, invisible in review, and read as something else by
 * YAML 1.1 readers (Argo CD's go-yaml). The writer escapes them anyway; refusing says so early.
 */
function characterError(
  text: string,
  what: 'string' | 'key',
  path: readonly string[],
  source: ConfigSource,
): ConfigError | undefined {
  const match = CONTROL_CHARACTER.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return new ConfigError(
    source,
    path.join('.'),
    `got ${what} ${shown(text)}, which holds ${name} (${characterKind(code)}) at character ${match.index + 1}; allowed: printable characters, tab and line feed`,
  );
}

function characterKind(code: number): string {
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'a control character';
  if (code === 0x2028 || code === 0x2029) return 'a line or paragraph separator';
  if (code === 0xfeff) return 'a byte order mark';
  if (code >= 0xd800 && code <= 0xdfff) return 'a lone surrogate';
  return 'a noncharacter';
}
