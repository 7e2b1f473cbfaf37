/**
 * YAML for the synthesized objects, and how the project reads YAML back.
 *
 * Writing: the data is plain JSON (maps, lists, strings, numbers, booleans), so a block-style
 * emitter needs only a conservative rule for when a string may go unquoted; everything else is
 * written as a JSON string, which is valid YAML, with every character outside YAML's printable
 * set escaped. js-yaml's writer did the same job for 20 ms (8%) more per synth, measured A/B,
 * which the synth's budget against `helm template` does not have; the tests read every file back
 * with a YAML 1.2 and a YAML 1.1 reader.
 *
 * Reading: the `yaml` library, YAML 1.2 with the core schema whatever a file's %YAML directive
 * says, nesting bounded and aliases refused, so a hostile file fails fast instead of exhausting
 * the stack or the memory.
 */
import {
  Composer,
  isScalar,
  Lexer,
  Parser,
  visit,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

/** strings YAML 1.1 or 1.2 would read as something else: booleans, null, numbers */
const NOT_A_STRING =
  /^(?:[-+]?(?:\.?\d[\d_.:]*(?:[eE][-+]?\d+)?|0[xXoObB][\da-fA-F_]+|\.(?:inf|Inf|INF|nan|NaN|NAN))|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
/** YAML 1.1 timestamps (2001-12-14, 2001-12-14t21:59:43.10-05:00): go-yaml and PyYAML read them as dates */
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:$|[Tt ])/;
/** characters a plain scalar may hold here: no indicators, no quotes, no control characters */
const PLAIN =
  /^[A-Za-z0-9_./][A-Za-z0-9_./:@+=%,-]*(?: [A-Za-z0-9_./:@+=%,-]+)*$|^--?[A-Za-z0-9_./][A-Za-z0-9_./:@+=%,-]*$/;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (!['string', 'number', 'boolean'].includes(typeof value))
    throw new Error(`cannot write a ${typeof value} as YAML`);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  const plain = PLAIN.test(value) && !NOT_A_STRING.test(value) && !TIMESTAMP.test(value);
  if (plain && !value.endsWith(':') && !value.includes(': ')) return value;
  // printable ASCII with double quotes reads better single-quoted: only ' is escaped there
  if (/^[\x20-\x7E]*$/.test(value) && value.includes('"')) return `'${value.replace(/'/g, "''")}'`;
  // a lone surrogate has no UTF-8 form (Node would write U+FFFD) and go-yaml refuses its escape
  if (LONE_SURROGATE.test(value))
    throw new Error(`cannot write ${printableJson(value)} as YAML: it holds a lone surrogate`);
  return printableJson(value);
}

/**
 * What YAML must not hold raw: C0 controls and DEL and C1 (NEL U+0085 among them, a line break
 * to YAML 1.1), the line and paragraph separators U+2028 and U+2029 (line breaks to YAML 1.1),
 * the byte order mark U+FEFF (readers drop it), lone surrogates (no UTF-8 form) and the
 * noncharacters (U+FDD0-U+FDEF, U+FFFE and U+FFFF of every plane, outside YAML's printable set).
 */
const UNPRINTABLE = '[\\p{Cc}\\p{Cs}\\p{Noncharacter_Code_Point}\\u2028\\u2029\\uFEFF]';
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE, 'gu');
const LONE_SURROGATE = /\p{Cs}/u;
/** a character a config value may not hold: any unprintable one but tab and line feed */
export const CONTROL_CHARACTER = new RegExp(`(?![\\t\\n])${UNPRINTABLE}`, 'u');

/** the text with each unprintable character as its YAML (and, up to U+FFFF, JSON) escape */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE_ALL, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON text with no unprintable character in it; for a string, a double-quoted scalar that
 * YAML 1.1 and 1.2 read back as that string. JSON.stringify escapes C0 controls and lone
 * surrogates itself; YAML's \u and \U escapes take the rest.
 */
export function printableJson(value: unknown): string {
  return escapeUnprintable(JSON.stringify(value));
}

function isCollection(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function inline(value: unknown): string {
  if (isCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  return scalar(value as string | number | boolean | null);
}

function writeMap(map: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const lead = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const k = scalar(key);
    if (isCollection(value) && !isEmpty(value)) {
      out.push(`${lead}${k}:`);
      if (Array.isArray(value)) writeList(value, `${indent}  `, out);
      else writeMap(value as Record<string, unknown>, `${indent}  `, out);
    } else {
      out.push(`${lead}${k}: ${inline(value)}`);
    }
  }
  if (first && firstPrefix !== undefined) out.push(`${firstPrefix}{}`);
}

function writeList(list: readonly unknown[], indent: string, out: string[]): void {
  for (const item of list) {
    if (isCollection(item) && !isEmpty(item)) {
      if (Array.isArray(item)) {
        out.push(`${indent}-`);
        writeList(item, `${indent}  `, out);
      } else {
        writeMap(item as Record<string, unknown>, `${indent}  `, out, `${indent}- `);
      }
    } else {
      out.push(`${indent}- ${inline(item === undefined ? null : item)}`);
    }
  }
}

/** block-style YAML for JSON-compatible data, ending in a newline */
export function toYaml(value: unknown): string {
  if (!isCollection(value) || isEmpty(value)) return `${inline(value)}\n`;
  const out: string[] = [];
  if (Array.isArray(value)) writeList(value, '', out);
  else writeMap(value as Record<string, unknown>, '', out);
  return `${out.join('\n')}\n`;
}

/** the deepest nesting of collections a read accepts: config is 5 levels deep, a Deployment 9 */
export const MAX_NESTING = 64;

const READ_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  // core: true/false, null, numbers; "yes", "on" and dates stay strings. Explicit YAML 1.1
  // tags (!!binary, !!timestamp, !!set) and merge keys are not resolved, so they are refused
  schema: 'core',
  resolveKnownTags: false,
  merge: false,
  // checked below, in linear time: the library compares each key with every earlier one, and
  // 50,000 keys (700 KB) took it 112 s
  uniqueKeys: false,
  // a collection as a key is an error, not a stringified "[object]"
  stringKeys: true,
  // positions are reported by readYamlDocuments, without echoing the source
  prettyErrors: false,
  logLevel: 'error',
};

/** YAML that does not read: where (1-based, when known) and why */
export class YamlReadError extends Error {
  constructor(
    readonly position: { readonly line: number; readonly column: number } | undefined,
    readonly reason: string,
  ) {
    super(position ? `line ${position.line}, column ${position.column}: ${reason}` : reason);
    this.name = 'YamlReadError';
  }
}

/**
 * Every document of a YAML stream, as plain data.
 * @throws YamlReadError at the first error or warning (an unknown tag or directive), nesting
 * deeper than MAX_NESTING, a key given twice in a mapping, or an alias
 */
export function readYamlDocuments(text: string): unknown[] {
  return documentsOf(text).map((doc) => doc.toJS({ maxAliasCount: 0 }));
}

/** the one document of a YAML text (null when it has none); @throws YamlReadError */
export function readYaml(text: string): unknown {
  const docs = documentsOf(text);
  if (docs.length > 1) throw new YamlReadError(positionOf(text, docs[1].range[0]), 'a second document; allowed: one');
  return docs.length === 0 ? null : docs[0].toJS({ maxAliasCount: 0 });
}

function documentsOf(text: string): Document.Parsed[] {
  const parser = new Parser();
  const tokens: CST.Token[] = [];
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    // the parser keeps the open collections on its stack: stop before the composer recurses
    if (parser.stack.length > MAX_NESTING)
      throw new YamlReadError(positionOf(text, parser.offset), `nested deeper than ${MAX_NESTING} levels`);
  }
  tokens.push(...parser.end());
  const composer = new Composer(READ_OPTIONS);
  const docs = [...composer.compose(tokens)];
  // problems outside every document (a directive with no document after it) are the stream's
  const { errors, warnings } = composer.streamInfo();
  const problem = [...docs.flatMap((d) => [...d.errors, ...d.warnings]), ...errors, ...warnings][0];
  if (problem) throw new YamlReadError(positionOf(text, problem.pos[0]), problem.message);
  for (const doc of docs) {
    // an alias is the one way a small text becomes a huge value (a billion laughs), a cycle or a
    // value deeper than its text; neither config nor output needs one, so none is expanded
    let refused: YamlReadError | undefined;
    const at = (range: readonly number[] | null | undefined) => positionOf(text, range?.[0] ?? 0);
    visit(doc, {
      Alias(_key, node) {
        refused = new YamlReadError(
          at(node.range),
          `an alias (*${node.source}); allowed: the value written out, since aliases are not expanded`,
        );
        return visit.BREAK;
      },
      Map(_key, map) {
        const keys = new Set<unknown>();
        for (const { key } of map.items) {
          const name = isScalar(key) ? String(key.value) : key;
          if (keys.has(name)) {
            refused = new YamlReadError(
              at(isScalar(key) ? key.range : undefined),
              `a second key ${printableJson(name)} in this mapping; allowed: each key once`,
            );
            return visit.BREAK;
          }
          keys.add(name);
        }
        return undefined;
      },
    });
    if (refused) throw refused;
  }
  return docs;
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}
