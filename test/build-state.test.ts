import * as fs from 'node:fs';
import * as path from 'node:path';
import { newerThanSnapshot } from '../io/build-state';
import { scratchDir } from './helpers';

/** a project with a snapshot built at t=1000 s and sources at the given times */
function project(times: Record<string, number>): string {
  const root = scratchDir('rp-build-state-');
  const put = (file: string, seconds: number) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '');
    fs.utimesSync(path.join(root, file), seconds, seconds);
  };
  put('build/synth.blob', 1000);
  put('node', 500);
  for (const [file, t] of Object.entries(times)) put(file, t);
  return root;
}

describe('newerThanSnapshot', () => {
  const sources = { 'main.ts': 900, 'snapshot.ts': 900, 'lib/a.ts': 900, 'lib/policy/b.ts': 900, 'io/c.ts': 900, 'imports/schema.json': 900, 'scripts/build.mjs': 900, 'package-lock.json': 900 };

  test('is undefined when the snapshot is newer than every input', () => {
    const root = project(sources);
    expect(newerThanSnapshot(root, path.join(root, 'node'))).toBeUndefined();
  });

  test.each(['main.ts', 'lib/policy/b.ts', 'io/c.ts', 'imports/schema.json', 'scripts/build.mjs', 'package-lock.json'])('names %s when it changed after the build', (file) => {
    const root = project({ ...sources, [file]: 1100 });
    expect(newerThanSnapshot(root, path.join(root, 'node'))).toBe(path.join(root, file));
  });

  test('names the node binary when node was upgraded', () => {
    const root = project(sources);
    fs.utimesSync(path.join(root, 'node'), 2000, 2000);
    expect(newerThanSnapshot(root, path.join(root, 'node'))).toBe(path.join(root, 'node'));
  });

  test('names the snapshot when there is none', () => {
    const root = project(sources);
    fs.rmSync(path.join(root, 'build'), { recursive: true });
    expect(newerThanSnapshot(root, path.join(root, 'node'))).toBe(path.join('build', 'synth.blob'));
  });

  test('ignores changes outside the inputs (config, tests, docs)', () => {
    const root = project({ ...sources, 'config/prod.yaml': 2000, 'test/x.test.ts': 2000, 'README.md': 2000 });
    expect(newerThanSnapshot(root, path.join(root, 'node'))).toBeUndefined();
  });
});
