/**
 * The runner (scripts/run.cjs) that every entry point starts: it runs what the sources say,
 * never an older build, and reports a bug with its stack in the .ts files, a config error as
 * its one-line message.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTree } from '../io/publish';
import { ROOT, scratchDir } from './helpers';

// real processes, and builds of a second or two
jest.setTimeout(60_000);

/** what the runner builds from, copied; node_modules linked */
const SOURCES = ['main.ts', 'lib', 'io', 'imports', 'scripts', 'config', 'tsconfig.json', 'package-lock.json'];

/** `node scripts/run.cjs synth --env dev` in dir */
const synthDev = (dir: string) =>
  spawnSync(process.execPath, ['scripts/run.cjs', 'synth', '--env', 'dev'], { cwd: dir, encoding: 'utf8' });

describe('a copy of the repository and of its build', () => {
  // a build costs a second or two: the copy starts with the repository's build (npm test builds
  // it first), which is fresh for the copy as well, and each test leaves the copy buildable
  let dir: string;
  let labels: string;
  let original: string;
  beforeAll(() => {
    dir = scratchDir('rp-runner-');
    for (const entry of SOURCES) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    expect(spawnSync(process.execPath, ['scripts/run.cjs', 'build'], { cwd: ROOT }).status).toBe(0);
    fs.cpSync(path.join(ROOT, 'build', 'app'), path.join(dir, 'build', 'app'), { recursive: true });
    labels = path.join(dir, 'lib', 'app', 'labels.ts');
    original = fs.readFileSync(labels, 'utf8');
    expect(synthDev(dir).status).toBe(0);
  });
  afterEach(() => fs.writeFileSync(labels, original));
  const deployment = () =>
    fs.readFileSync(path.join(dir, 'dist', 'dev', 'app', 'deployment-reviewpoint-backend.yaml'), 'utf8');

  test('runs without building when no source changed', () => {
    // GIVEN a copy whose build is what its sources say WHEN it runs THEN it builds nothing
    const result = synthDev(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('runs a source edit on the next run, also when the edit kept the old modification time', () => {
    // GIVEN a built copy
    const { atime, mtime } = fs.statSync(labels);
    // WHEN a source changes and gets its old modification time back (as cp -p, rsync -a and tar do)
    fs.writeFileSync(labels, original.replace("PART_OF = 'reviewpoint'", "PART_OF = 'reviewpoint-edited'"));
    fs.utimesSync(labels, atime, mtime);
    const result = synthDev(dir);
    // THEN the next run rebuilds and writes what the source says
    expect(result.stderr).toMatch(/^building build\/app: lib\/app\/labels\.ts changed since the last build$/m);
    expect(result.status).toBe(0);
    expect(deployment()).toContain('app.kubernetes.io/part-of: reviewpoint-edited\n');
  });

  test('fails when a source does not build, rather than running the last build, and leaves dist/ as it was', () => {
    // GIVEN a built copy with a synthesized dist/
    const before = readTree(path.join(dir, 'dist'));
    // WHEN a source stops compiling
    fs.writeFileSync(labels, `${original}export const broken = ;\n`);
    const result = synthDev(dir);
    // THEN the run fails with esbuild's error, and dist/ is untouched
    expect(result.stderr).toMatch(
      /lib\/app\/labels\.ts:\d+:\d+:[\s\S]*the build failed: nothing was run, nothing was written/,
    );
    expect(result.status).toBe(1);
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });

  test('prints the stack of an unexpected error with the .ts file and line, and leaves dist/ as it was', () => {
    // GIVEN a bug in lib/app/labels.ts: a TypeError on a line we know
    const marker = 'const version = image && versionLabel(image);';
    const buggy = original.replace(marker, `${marker}\n  if (config.name === 'dev') (config as any).missing.field;`);
    const line = buggy.split('\n').findIndex((l) => l.includes('missing.field')) + 1;
    fs.writeFileSync(labels, buggy);
    const before = readTree(path.join(dir, 'dist'));
    // WHEN the synth runs it
    const result = synthDev(dir);
    // THEN Node.js prints the TypeError with a stack that names the source file and line
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'field'\)/);
    expect(result.stderr).toMatch(new RegExp(`at recommendedLabels \\(\\S*lib/app/labels\\.ts:${line}:\\d+\\)`));
    expect(result.stderr).not.toMatch(/build\/app\/synth\.js/);
    expect(result.stderr).not.toMatch(/synth failed/);
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });
});

describe('npm run synth on a config error', () => {
  test('fails with the one-line message and no stack, and writes nothing', () => {
    // GIVEN an environment whose config is not valid YAML
    const dir = scratchDir('rp-runner-');
    fs.mkdirSync(path.join(dir, 'config'));
    fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), 'namespace: [\n');
    // WHEN it is synthesized
    const result = spawnSync(
      'npm',
      ['run', '-s', 'synth', '--', '--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    // THEN the error is the two lines of a refused run, and nothing was written
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^synth failed: config error in environment "alpha" \(\S*config\/alpha\.yaml\), field \(yaml\): YAML syntax error at line 2/,
      ),
      'nothing was written: the previous output is untouched',
    ]);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});

describe('the runner', () => {
  test('fails on an unknown command, naming the allowed ones', () => {
    const result = spawnSync(process.execPath, ['scripts/run.cjs', 'synthesize'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^unknown command "synthesize"; allowed: synth, set-image, diff, config-schema, build$/m,
    );
  });
});
