import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers';

describe('the CRD schema generator', () => {
  // a declaration of a kind, with `body` as its spec's members
  const declaration = (body: string) => `export interface IWidget {\n    "apiVersion": "example.com/v1";\n    "kind": "Widget";\n    "spec"?: {\n${body}\n    };\n}\n`;
  const generate = (bodies: readonly string[]): string[] => {
    const script = `
      import { declaredSchema } from './scripts/import-crd-schema.mjs';
      const out = [];
      for (const body of JSON.parse(process.argv[1])) {
        try { out.push(JSON.stringify(Object.fromEntries(declaredSchema(body, 'Widget.d.ts', 'example.com/v1', 'Widget').definitions))); }
        catch (e) { out.push(e.message); }
      }
      console.log(JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(bodies.map(declaration))], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
  };

  test('reads fields, lists, maps, enumerations and nested objects', () => {
    const [out] = generate(['        "mode": "A" | "B";\n        "tags"?: Array<string>;\n        "labels"?: { [key: string]: string; };\n        "ref"?: { "name": string; };\n        "meta"?: IObjectMeta;']);
    expect(JSON.parse(out)).toEqual({
      'example.com.v1.Widget': [{ name: 'spec', required: false, type: '#example.com.v1.Widget.spec' }],
      'example.com.v1.Widget.spec': [
        { name: 'mode', required: true, type: 'enum(A|B)' },
        { name: 'tags', required: false, type: '[]string' },
        { name: 'labels', required: false, type: '{}string' },
        { name: 'ref', required: false, type: '#example.com.v1.Widget.spec.ref' },
        { name: 'meta', required: false, type: '#io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      ],
      'example.com.v1.Widget.spec.ref': [{ name: 'name', required: true, type: 'string' }],
    });
  });

  test('fails on any construct it does not understand, so an upgrade cannot weaken the check', () => {
    expect(generate([
      '        "a": string[];',
      '        "a": Date;',
      '        "a": string | boolean;',
      '        readonly "a": string;',
      '        "a": Record<string, string>;',
      '        "a": { [key: string]: string; "b": string; };',
      '        "a b": string;',
      '        "a": string',
    ])).toEqual([
      'Widget.d.ts:5: expected ;, found [',
      'Widget.d.ts:5: type Date is not understood',
      'Widget.d.ts:5: union boolean|string is not understood',
      'Widget.d.ts:5: expected a quoted field name or [key: string], found readonly',
      'Widget.d.ts:5: expected ;, found <',
      'Widget.d.ts:5: an object type with both fields and an index signature',
      'Widget.d.ts:5: field name "a b" cannot be written in the schema',
      'Widget.d.ts:6: expected ;, found }',
    ]);
  });
});
