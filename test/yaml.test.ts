import * as path from 'node:path';
import { parse } from 'yaml';
import { filePath, KUSTOMIZATION_FILE } from '../lib/layout';
import { renderEnvironment, type RenderedEnvironment } from '../lib/render';
import { CONTROL_CHARACTER, readYaml, toYaml } from '../lib/yaml';
import { committedConfig, configFrom, ENVIRONMENTS, minimalConfig } from './helpers';

/**
 * Read back as YAML 1.2 with the core schema (kustomize's and Flux's go-yaml v3 resolve so), as
 * YAML 1.1 (Argo CD's and kubectl's go-yaml v2, PyYAML) and with the project's own reader (the
 * review tools): every reader must get the same value.
 */
function readBack(text: string): unknown[] {
  return [parse(text, { version: '1.2', schema: 'core' }), parse(text, { version: '1.1' }), readYaml(text)];
}

/** a raw character a YAML file must not hold: every C0 control but line feed, DEL, C1, separators, BOM, surrogates, noncharacters */
const RAW_UNPRINTABLE = /(?!\n)[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}\u2028\u2029\uFEFF]/u;

/** every character outside YAML's printable set, and those YAML 1.1 reads as line breaks */
const UNPRINTABLE = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x2028,
  0x2029,
  0xfeff,
  0xfdd0,
  0xfdef,
  0xfffe,
  0xffff,
  0x1fffe,
  0x10ffff,
].map((code) => String.fromCodePoint(code));

const TRICKY = [
  '',
  ' ',
  'a b',
  ' lead',
  'trail ',
  'true',
  'False',
  'yes',
  'NO',
  'on',
  'off',
  'y',
  'n',
  'null',
  '~',
  'Null',
  '0',
  '-1',
  '+1',
  '1.5',
  '1e3',
  '1E+3',
  '.5',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
  '1:20',
  '.inf',
  '-.Inf',
  '.NaN',
  '1.4.2',
  '0.0.0.0',
  'a: b',
  'a:b',
  'a:',
  ':a',
  '#a',
  'a #b',
  'a#b',
  '- a',
  '-a',
  '--a',
  '-',
  '?',
  '? a',
  '[a]',
  '{a}',
  'a,b',
  '*a',
  '&a',
  '!a',
  '|',
  '>',
  '%a',
  '@a',
  '`a',
  "it's",
  'say "hi"',
  'both \' and "',
  'line\nbreak',
  'tab\there',
  'back\\slash',
  'uni ✓ code',
  'nul\u0000',
  'sep\u2028x',
  'bell\u0007',
  '8000',
  '1.10',
  '1.4.2-rc.1',
  '2001-12-14',
  '2001-12-14 21:59:43.10 -5',
  '2001-12-14t21:59:43.10-05:00',
  '<<',
  '=',
  'sha256:abc',
  'http://a.b:80/c',
  'src.main:app',
  '/api/v1/metrics',
  '25%',
  '["http://localhost:3000"]',
  'app.kubernetes.io/name',
];

describe('toYaml', () => {
  test.each(TRICKY.map((s) => [JSON.stringify(s), s]))(
    'round-trips the string %s as value, key and list item',
    (_shown, s) => {
      const value = { [s]: s, list: [s, { [s]: [s] }], nested: { k: s } };
      for (const back of readBack(toYaml(value))) expect(back).toEqual(value);
    },
  );

  test('round-trips numbers, booleans, null and empty collections', () => {
    const value = {
      n: 0,
      neg: -3,
      f: 1.25,
      big: 1e21,
      t: true,
      f2: false,
      z: null,
      m: {},
      l: [],
      deep: [[1, [2]], [], {}],
    };
    for (const back of readBack(toYaml(value))) expect(back).toEqual(value);
  });

  test('refuses what YAML cannot hold instead of dropping it', () => {
    expect(() => toYaml({ x: () => 1 })).toThrow(/cannot write a function as YAML/);
  });

  test.each(UNPRINTABLE.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    'escapes %s in a value, a key and a list item, and reads it back',
    (_name, c) => {
      const s = `a${c}b`;
      const value = { [s]: s, list: [s], nested: { k: s } };
      const text = toYaml(value);
      expect(text).not.toMatch(RAW_UNPRINTABLE);
      for (const back of readBack(text)) expect(back).toEqual(value);
    },
  );

  test('writes NEL escaped: YAML 1.1 would read it raw as a line break, and unquoted as a space', () => {
    expect(toYaml({ a: 'x\u0085y' })).toBe('a: "x\\u0085y"\n');
  });

  test('fails when a string holds a lone surrogate, which has no UTF-8 form', () => {
    expect(() => toYaml({ a: `x${String.fromCharCode(0xd800)}` })).toThrow(
      /^cannot write "x\\ud800" as YAML: it holds a lone surrogate$/,
    );
  });

  test('writes each repeated object in full, without anchors', () => {
    const shared = { a: 1 };
    expect(toYaml({ first: shared, second: shared })).toBe('first:\n  a: 1\nsecond:\n  a: 1\n');
  });

  test('keeps a long value on one line', () => {
    const long = `ghcr.io/reviewpoint/backend:1.4.2@sha256:${'f'.repeat(64)} ${'x'.repeat(100)}`;
    expect(toYaml({ image: long })).toBe(`image: ${long}\n`);
  });

  test('writes lists under a key indented, and maps in lists on the dash line', () => {
    expect(toYaml({ a: [{ b: 1, c: [2] }], d: 'x' })).toBe('a:\n  - b: 1\n    c:\n      - 2\nd: x\n');
  });
});

/** every YAML file of an environment read back as the object it was written from, by every reader */
function expectEveryFileReadsBack(rendered: RenderedEnvironment): void {
  const { objects, delivery, files } = rendered;
  const written = new Map([...objects, ...delivery].map((o) => [filePath(o), o]));
  const yamlFiles = [...files.keys()].filter((f) => f.endsWith('.yaml'));
  expect(yamlFiles.length).toBeGreaterThan(written.size);
  for (const file of yamlFiles) {
    const text = files.get(file)!;
    expect(text).not.toMatch(RAW_UNPRINTABLE);
    // parse() refuses a text of more than one document
    const [back, ...others] = readBack(text);
    for (const other of others) expect(other).toEqual(back);
    if (path.posix.basename(file) !== KUSTOMIZATION_FILE) expect(back).toEqual(written.get(file));
    else {
      // a kustomization lists exactly the files of its folder: its objects, or its stages' folders
      const folder = path.posix.dirname(file);
      const listed = [...files.keys()]
        .filter(
          (f) =>
            f !== file &&
            f.endsWith('.yaml') &&
            (folder === '.' ? !f.startsWith('delivery/') : path.posix.dirname(f) === folder),
        )
        .map((f) => (folder === '.' ? f.split('/')[0] : path.posix.basename(f)));
      expect((back as { resources: string[] }).resources).toEqual([...new Set(listed)]);
    }
  }
}

describe.each(ENVIRONMENTS)('the %s output', (env) => {
  test('reads back, file by file, as exactly what was written, by YAML 1.1 and 1.2 readers', () => {
    expectEveryFileReadsBack(renderEnvironment(committedConfig(env)));
  });
});

describe('an environment with strings that look like YAML', () => {
  test('reads back, file by file, as exactly what was written', () => {
    // GIVEN every tricky string the config accepts (no control characters) in free-form fields
    const accepted = TRICKY.filter((s) => !CONTROL_CHARACTER.test(s));
    const data = minimalConfig();
    data.app.args = accepted;
    data.settings.extraEnv = Object.fromEntries(accepted.map((s, i) => [`TRICKY_${i}`, s]));
    data.ingress = {
      host: 'api.example.com',
      annotations: Object.fromEntries(accepted.map((s, i) => [`example.com/tricky-${i}`, s])),
    };
    // WHEN it is rendered, THEN every file reads back as its object
    expectEveryFileReadsBack(renderEnvironment(configFrom(data)));
  });
});
