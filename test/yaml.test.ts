import { parse } from 'yaml';
import { filePath } from '../lib/layout';
import { renderEnvironment } from '../lib/render';
import { toYaml } from '../lib/yaml';
import { committedConfig, ENVIRONMENTS } from './helpers';

/** read back as YAML 1.2 (the yaml library) and as YAML 1.1 (what go-yaml based tools resolve) */
function readBack(text: string): [unknown, unknown] {
  return [parse(text), parse(text, { version: '1.1' })];
}

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

describe.each(ENVIRONMENTS)('the %s output', (env) => {
  test('reads back as exactly the synthesized objects, one document per file', () => {
    // parse() refuses a text of more than one document
    const { objects, delivery, files } = renderEnvironment(committedConfig(env));
    for (const o of [...objects, ...delivery])
      for (const back of readBack(files.get(filePath(o))!)) expect(back).toEqual(o);
  });
});
