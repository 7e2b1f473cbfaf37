import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { DIGEST_A } from '../helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'constructs.md');

/** the one TypeScript block of docs/constructs.md, with a real digest for its placeholder */
function example(): string {
  const blocks = [...fs.readFileSync(DOC, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0].replace('sha256:<64 hex>', DIGEST_A);
}

/** run the example as CommonJS, its './lib/...' imports resolved from the repository's root */
function run(source: string): void {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const load = (id: string) => require(id.startsWith('.') ? path.join(ROOT, id) : id);
  new Function('require', 'exports', outputText)(load, {});
}

describe('docs/constructs.md', () => {
  test('its example runs and its chart passes the synth’s own gate in production', () => {
    // GIVEN the documented example  WHEN run  THEN verifyManifests, its last line, does not throw
    expect(() => run(example())).not.toThrow();
  });

  test('the gate the example ends with refuses what it should: a weakened example fails', () => {
    // GIVEN the example without its PodDisruptionBudget  WHEN run in production THEN the gate refuses it
    const weakened = example().replace(', podDisruptionBudget: { maxUnavailable: 1 }', '');
    expect(weakened).not.toBe(example());
    expect(() => run(weakened)).toThrow(/availability|PodDisruptionBudget/);
  });
});
