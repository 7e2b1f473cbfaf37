import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

/** every relative import, export-from and import-require of a TypeScript source, type-only ones included */
function importsOf(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gm),
    ...source.matchAll(/^\s*import\s+\w+\s*=\s*require\('(\.[^']+)'\)/gm),
    ...source.matchAll(/^\s*import\s+'(\.[^']+)'/gm),
  ];
  return specifiers.map((m) => m[1]);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

/** module -> the modules it imports, for the project's own sources */
function importGraph(): Map<string, string[]> {
  const files = [path.join(ROOT, 'main.ts'), ...['lib', 'io', 'scripts'].flatMap((d) => sources(path.join(ROOT, d)))];
  return new Map(
    files.map((f) => [
      path.relative(ROOT, f),
      importsOf(fs.readFileSync(f, 'utf8'))
        .map((s) => resolve(f, s))
        .filter((t): t is string => t !== undefined)
        .map((t) => path.relative(ROOT, t)),
    ]),
  );
}

/** each cycle once, as the path from a module back to itself */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (n: string) => {
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const at = stack.indexOf(d);
      if (at !== -1) cycles.push([...stack.slice(at), d]);
      else if (!done.has(d)) visit(d);
    }
    stack.pop();
    done.add(n);
  };
  for (const n of graph.keys()) if (!done.has(n)) visit(n);
  return cycles;
}

describe('imports', () => {
  test('finds a cycle through type-only and index imports', () => {
    // GIVEN a graph in which a -> b -> c -> a, and d outside it
    const graph = new Map([
      ['a.ts', ['b/index.ts']],
      ['b/index.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    // WHEN its cycles are searched
    // THEN the one cycle is reported, once
    expect(findCycles(graph)).toEqual([['a.ts', 'b/index.ts', 'c.ts', 'a.ts']]);
  });

  test('reads type-only imports, re-exports and import-require as imports', () => {
    // GIVEN a source with each form
    const source = [
      "import type { A } from './a';",
      "import {\n  B,\n  type C,\n} from '../b';",
      "export { D } from './d';",
      "import k8s = require('./k8s');",
      "import { z } from 'zod';",
    ].join('\n');
    // WHEN its imports are read
    // THEN every relative one counts, the package does not
    expect(importsOf(source)).toEqual(['./a', '../b', './d', './k8s']);
  });

  test('main.ts, lib/, io/ and scripts/ import no module that imports them back', () => {
    // GIVEN the project's sources
    const graph = importGraph();
    expect(graph.get('main.ts')).toContain('io/cli.ts');
    // WHEN their import cycles are searched
    // THEN there are none
    expect(findCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  test('lib/constructs imports no config, no app layer and no ReViewPoint module', () => {
    // GIVEN the construct library's imports outside its own folder
    const graph = importGraph();
    const outside = [...graph]
      .filter(([file]) => file.startsWith('lib/constructs/'))
      .flatMap(([file, deps]) => deps.filter((d) => !d.startsWith('lib/constructs/')).map((d) => `${file} -> ${d}`));
    // WHEN they are listed
    // THEN they are the generic leaves only: quantities and the content hash
    expect(outside.filter((i) => !/-> lib\/(quantity|determinism)\.ts$/.test(i))).toEqual([]);
    expect(outside.length).toBeGreaterThan(0);
  });
});
