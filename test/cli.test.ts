/**
 * End to end, through the real entry points: the bundled app under `cdk8s synth` and under
 * the npm synth script's command. Slower than the rest (a few seconds), so kept to the cases
 * that only a real process can show: exit codes, messages, and what is left on disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ReviewpointPolicy } from '../io/validation-plugin';
import { minimalConfig, ROOT } from './helpers';

const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

// real processes: a build takes seconds, and the CLI about one on an idle machine
jest.setTimeout(120_000);

beforeAll(() => {
  // a synth builds (or rebuilds) the bundles that the CLI and the script run
  execFileSync('sh', ['scripts/synth.sh', '--out', fs.mkdtempSync(path.join(os.tmpdir(), 'rp-build-'))], { cwd: ROOT });
});

/** a scratch project that uses this repo's cdk8s.yaml and build */
function project(config: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-cli-'));
  fs.copyFileSync(path.join(ROOT, 'cdk8s.yaml'), path.join(dir, 'cdk8s.yaml'));
  for (const link of ['build', 'scripts']) fs.symlinkSync(path.join(ROOT, link), path.join(dir, link));
  fs.mkdirSync(path.join(dir, 'config'));
  for (const [env, data] of Object.entries(config)) fs.writeFileSync(path.join(dir, 'config', `${env}.yaml`), typeof data === 'string' ? data : stringify(data));
  return dir;
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const env of fs.readdirSync(dir)) for (const f of fs.readdirSync(path.join(dir, env))) out[`${env}/${f}`] = fs.readFileSync(path.join(dir, env, f), 'utf8');
  return out;
}

const BAD_INPUTS: Array<[string, string, RegExp]> = [
  ['a YAML syntax error', 'namespace: [\n', /environment "alpha" \(config\/alpha\.yaml\), field \(yaml\): YAML syntax error at line 2/],
  ['an unknown key', stringify({ ...minimalConfig(), namspace: 'x' }), /field namspace: unknown key "namspace" \(did you mean "namespace"\?\)/],
  ['latest in production', stringify({ ...minimalConfig(), production: true, app: { ...minimalConfig().app, image: { repository: 'ghcr.io/acme/backend', tag: 'latest' } } }), /field app\.image\.tag: got string "latest"/],
];

// the CLI costs seconds a run, so it gets one bad input; the rest share its code path in the app
describe.each([
  ['npx cdk8s synth', BAD_INPUTS.slice(0, 1), (cwd: string) => spawnSync(process.execPath, [CDK8S, 'synth', '--no-check-upgrade'], { cwd, encoding: 'utf8' })],
  ['the npm synth script', BAD_INPUTS, (cwd: string) => spawnSync('sh', ['scripts/synth.sh'], { cwd, encoding: 'utf8' })],
] as const)('%s', (_name, badInputs, synth) => {
  test('publishes dist/ and succeeds on a good config', () => {
    const dir = project({ alpha: minimalConfig() });
    const result = synth(dir);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.status).toBe(0);
    expect(Object.keys(tree(path.join(dir, 'dist')))).toContain('alpha/deployment-reviewpoint-backend.yaml');
  });

  test.each(badInputs)('fails on %s and leaves dist/ byte-identical', (_what, text, message) => {
    const dir = project({ alpha: minimalConfig() });
    expect(spawnSync('sh', ['scripts/synth.sh'], { cwd: dir }).status).toBe(0);
    const before = tree(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), text);
    const result = synth(dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(tree(path.join(dir, 'dist'))).toEqual(before);
  });
});

describe('the bundle the synth runs', () => {
  // a copy of the repository's sources, synthesized once (which builds its bundle): a build
  // costs a second or two, so the tests share it, and each leaves it buildable
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-fresh-'));
    for (const entry of ['main.ts', 'lib', 'io', 'imports', 'scripts', 'config', 'tsconfig.json', 'package.json', 'package-lock.json']) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, preserveTimestamps: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    expect(spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
  });
  const deployment = () => fs.readFileSync(path.join(dir, 'dist', 'dev', 'deployment-reviewpoint-backend.yaml'), 'utf8');

  test('picks up a source edit that kept an old modification time', () => {
    // GIVEN a built copy of the repository
    const labels = path.join(dir, 'lib', 'labels.ts');
    const { atime, mtime } = fs.statSync(labels);
    // WHEN a source changes and gets its old modification time back (as cp -p, rsync -a and tar do)
    fs.writeFileSync(labels, fs.readFileSync(labels, 'utf8').replace("PART_OF = 'reviewpoint'", "PART_OF = 'reviewpoint-edited'"));
    fs.utimesSync(labels, atime, mtime);
    const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' });
    // THEN the next synth rebuilds and writes what the source says
    expect(result.stderr).toMatch(/lib\/labels\.ts changed since the last build/);
    expect(result.status).toBe(0);
    expect(deployment()).toContain('app.kubernetes.io/part-of: reviewpoint-edited\n');
  });

  test('fails when a source does not build, rather than running the last bundle, and leaves dist/ as it was', () => {
    // GIVEN a built copy with a synthesized dist/
    const labels = path.join(dir, 'lib', 'labels.ts');
    const text = fs.readFileSync(labels, 'utf8');
    const before = tree(path.join(dir, 'dist'));
    try {
      // WHEN a source stops compiling
      fs.writeFileSync(labels, `${text}export const broken = ;\n`);
      const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' });
      // THEN the synth fails with esbuild's error, and dist/ is untouched
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/lib\/labels\.ts:\d+:\d+:[\s\S]*synth failed: the build failed/);
      expect(tree(path.join(dir, 'dist'))).toEqual(before);
    } finally {
      fs.writeFileSync(labels, text);
    }
  });

  test('synthesizes when V8 refuses the code cache (another Node.js, a damaged file), and replaces it', () => {
    // GIVEN a built copy whose code cache V8 cannot use
    const cache = path.join(dir, 'build', 'synth.js.v8-cache');
    const good = deployment();
    const damaged = Buffer.concat([fs.readFileSync(cache).subarray(0, 32), Buffer.alloc(4096, 7)]);
    fs.writeFileSync(cache, damaged);
    // WHEN it synthesizes
    const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' });
    // THEN the output is the same, and the cache is written anew
    expect(result.status).toBe(0);
    expect(deployment()).toBe(good);
    expect(fs.readFileSync(cache).equals(damaged)).toBe(false);
  });

  test('synthesizes under other V8 flags, as after a Node.js upgrade, and replaces the cache', () => {
    // GIVEN a built copy with a code cache made under the default flags
    const cache = path.join(dir, 'build', 'synth.js.v8-cache');
    expect(spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir }).status).toBe(0);
    const good = deployment();
    const before = fs.readFileSync(cache);
    // WHEN it synthesizes with a flag that V8 counts in its cache check (a new V8 version fails
    // the same check)
    const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=32' } });
    // THEN the output is the same, and the cache is one V8 accepts under those flags
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(deployment()).toBe(good);
    expect(fs.readFileSync(cache).equals(before)).toBe(false);
  });
});

describe('the cdk8s validation plugin', () => {
  test('reports a violation with rule, object and container, and fails the report', async () => {
    // GIVEN a synthesized environment with one container made writable
    const dir = project({ alpha: minimalConfig() });
    expect(spawnSync('sh', ['scripts/synth.sh', '--out', 'out'], { cwd: dir }).status).toBe(0);
    const file = path.join(dir, 'out', 'alpha', 'deployment-reviewpoint-backend.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'));
    const violations: any[] = [];
    let status = '';
    const context = {
      manifests: fs.readdirSync(path.join(dir, 'out', 'alpha')).map((f) => path.join(dir, 'out', 'alpha', f)),
      report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => { status = s; } },
    };
    // WHEN the plugin validates the files
    await new ReviewpointPolicy({ configDir: path.join(dir, 'config') }).validate(context);
    // THEN the report fails with the rule, the object and the container
    expect(status).toBe('failure');
    expect(violations).toEqual([{
      ruleName: 'read-only-root',
      recommendation: 'container "api": securityContext.readOnlyRootFilesystem must be true (got false)',
      fix: 'readOnlyRootFilesystem: true, with a writable emptyDir at /tmp',
      violatingResources: [{ resourceName: 'Deployment/reviewpoint-backend', locations: ['alpha'], manifestPath: file }],
    }]);
  });

  test('passes the committed output', async () => {
    const manifests = ['dev', 'staging', 'prod'].flatMap((env) => fs.readdirSync(path.join(ROOT, 'dist', env)).map((f) => path.join(ROOT, 'dist', env, f)));
    let status = '';
    const violations: unknown[] = [];
    await new ReviewpointPolicy({ configDir: path.join(ROOT, 'config') }).validate({ manifests, report: { addViolation: (v) => violations.push(v), submit: (s) => { status = s; } } });
    expect(violations).toEqual([]);
    expect(status).toBe('success');
  });
});
