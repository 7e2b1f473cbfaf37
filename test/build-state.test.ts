import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from './helpers';

/** the part of scripts/build-state.cjs (plain CommonJS, loaded before any bundle) tested here */
interface BuildState {
  STATE: string;
  INSTALLED: string;
  needsDigest(inputs: Record<string, string>, file: string): boolean;
  digestBytes(bytes: Buffer | string): string;
  staleReason(root: string): string | undefined;
  writeState(root: string, inputs: Record<string, string>, outputs: string[]): void;
}
const {
  INSTALLED,
  STATE,
  digestBytes,
  needsDigest,
  staleReason,
  writeState,
}: BuildState = require('../scripts/build-state.cjs');

const SOURCES: Record<string, string> = {
  'main.ts': 'export const main = 1;\n',
  'lib/labels.ts': "export const MANAGED_BY = 'cdk8s';\n",
  'node_modules/.package-lock.json': '{"packages":{"node_modules/dep":{"version":"1.0.0"}}}\n',
  'imports/schema.json': '{}\n',
};

/** a project built from SOURCES, every file dated at t=1000 s */
function builtProject(): string {
  const root = scratchDir('rp-build-state-');
  const put = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
    fs.utimesSync(path.join(root, file), 1000, 1000);
  };
  for (const [file, text] of Object.entries(SOURCES)) put(file, text);
  put('build/synth.js', '');
  const inputs = Object.fromEntries(Object.entries(SOURCES).map(([file, text]) => [file, digestBytes(text)]));
  writeState(root, inputs, ['build/synth.js']);
  return root;
}

/** rewrite a file and give it back its old modification time, as cp -p, rsync -a or tar do */
function editKeepingMtime(file: string, text: string): void {
  const { atime, mtime } = fs.statSync(file);
  fs.writeFileSync(file, text);
  fs.utimesSync(file, atime, mtime);
}

describe('needsDigest', () => {
  test('leaves the files npm installed to its record of them', () => {
    const inputs = { [INSTALLED]: digestBytes('{}') };
    expect(needsDigest(inputs, 'node_modules/cdk8s/lib/app.js')).toBe(false);
    expect(needsDigest(inputs, 'node_modules/cdk8s/node_modules/yaml/dist/index.js')).toBe(false);
    expect(needsDigest(inputs, 'lib/labels.ts')).toBe(true);
    expect(needsDigest(inputs, 'imports/k8s-1.28-schema.json')).toBe(true);
  });

  test('asks for every file when npm left no record (another package manager)', () => {
    expect(needsDigest({}, 'node_modules/cdk8s/lib/app.js')).toBe(true);
    expect(needsDigest({}, 'lib/labels.ts')).toBe(true);
  });
});

describe('staleReason', () => {
  test('is undefined when every input has the bytes that were built', () => {
    expect(staleReason(builtProject())).toBeUndefined();
  });

  test.each(Object.keys(SOURCES))('names %s when its bytes changed, with its old mtime kept', (file) => {
    // GIVEN a built project
    const root = builtProject();
    // WHEN one input is edited and keeps the modification time it had before the build
    editKeepingMtime(path.join(root, file), `${SOURCES[file]}// edited\n`);
    // THEN the build is stale, and the message names the file
    expect(staleReason(root)).toBe(`${file} changed since the last build`);
  });

  test('is undefined when a file is touched but its bytes are the same', () => {
    const root = builtProject();
    fs.utimesSync(path.join(root, 'lib/labels.ts'), 5000, 5000);
    expect(staleReason(root)).toBeUndefined();
  });

  test('names an input that is gone', () => {
    const root = builtProject();
    fs.rmSync(path.join(root, 'lib/labels.ts'));
    expect(staleReason(root)).toBe('lib/labels.ts is gone since the last build');
  });

  test('names a missing bundle', () => {
    const root = builtProject();
    fs.rmSync(path.join(root, 'build/synth.js'));
    expect(staleReason(root)).toBe('build/synth.js is missing');
  });

  test('names the missing record when nothing was built', () => {
    const root = builtProject();
    fs.rmSync(path.join(root, STATE));
    expect(staleReason(root)).toBe(`no build record (${STATE})`);
  });

  test('treats a record from another build format as stale', () => {
    const root = builtProject();
    fs.writeFileSync(path.join(root, STATE), '{"built": 1000}\n');
    expect(staleReason(root)).toBe(`${STATE} is not a build record`);
  });

  test('ignores files the build did not read (config, tests, docs)', () => {
    const root = builtProject();
    for (const file of ['config/prod.yaml', 'test/x.test.ts', 'README.md']) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), 'new');
    }
    expect(staleReason(root)).toBeUndefined();
  });
});
