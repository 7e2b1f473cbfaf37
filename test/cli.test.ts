/**
 * End to end, through the real entry points: the bundled app under `cdk8s synth` and under
 * the npm synth script's command. Slower than the rest (a few seconds), so kept to the cases
 * that only a real process can show: exit codes, messages, and what is left on disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ReviewpointPolicy } from '../io/validation-plugin';
import { minimalConfig, productionConfig, ROOT, scratchDir } from './helpers';
import { readTree } from '../io/publish';

const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

// real processes: a build takes seconds, and the CLI about one on an idle machine
jest.setTimeout(120_000);

beforeAll(() => {
  // a synth builds (or rebuilds) the bundles that the CLI and the script run
  execFileSync('sh', ['scripts/synth.sh', '--out', scratchDir('rp-build-')], { cwd: ROOT });
});

/** a scratch project that uses this repo's cdk8s.yaml and build */
function project(config: Record<string, unknown>): string {
  const dir = scratchDir('rp-cli-');
  fs.copyFileSync(path.join(ROOT, 'cdk8s.yaml'), path.join(dir, 'cdk8s.yaml'));
  for (const link of ['build', 'scripts']) fs.symlinkSync(path.join(ROOT, link), path.join(dir, link));
  fs.mkdirSync(path.join(dir, 'config'));
  for (const [env, data] of Object.entries(config))
    fs.writeFileSync(path.join(dir, 'config', `${env}.yaml`), typeof data === 'string' ? data : stringify(data));
  return dir;
}

/** every YAML file below dir, as the cdk8s CLI lists them for its validation plugins */
function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [env, files] of readTree(dir)) for (const [f, content] of files) out[`${env}/${f}`] = content;
  return out;
}

// each config error has its unit case in config.test.ts; a real process adds only the exit
// code, the message on stderr and the untouched dist/, which one bad input shows
const BAD_INPUT = 'namespace: [\n';
const BAD_INPUT_MESSAGE = /environment "alpha" \(config\/alpha\.yaml\), field \(yaml\): YAML syntax error at line 2/;

describe.each([
  [
    'npx cdk8s synth',
    (cwd: string) => spawnSync(process.execPath, [CDK8S, 'synth', '--no-check-upgrade'], { cwd, encoding: 'utf8' }),
  ],
  ['the npm synth script', (cwd: string) => spawnSync('sh', ['scripts/synth.sh'], { cwd, encoding: 'utf8' })],
] as const)('%s', (_name, synth) => {
  test('publishes dist/ and succeeds on a good config', () => {
    const dir = project({ alpha: minimalConfig() });
    const result = synth(dir);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.status).toBe(0);
    expect(Object.keys(tree(path.join(dir, 'dist')))).toContain('alpha/app/deployment-reviewpoint-backend.yaml');
  });

  test('fails on a YAML syntax error and leaves dist/ byte-identical', () => {
    const dir = project({ alpha: minimalConfig() });
    expect(spawnSync('sh', ['scripts/synth.sh'], { cwd: dir }).status).toBe(0);
    const before = tree(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), BAD_INPUT);
    const result = synth(dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(BAD_INPUT_MESSAGE);
    expect(tree(path.join(dir, 'dist'))).toEqual(before);
  });
});

// the inputs a newcomer meets first, each refused by both commands with dist/ untouched
const production = (): Record<string, any> => ({ ...productionConfig(), namespace: 'rp-prod' });
const ENVIRONMENT_MISTAKES: Array<[string, (dir: string) => void, RegExp]> = [
  [
    'a copy of an environment that keeps its namespace',
    (dir) => fs.writeFileSync(path.join(dir, 'config', 'qa.yaml'), stringify(production())),
    /environment "qa" .*field namespace: got "rp-prod", the namespace of environment "prod"/,
  ],
  [
    'a removed production environment',
    (dir) => fs.rmSync(path.join(dir, 'config', 'prod.yaml')),
    /config\/prod\.yaml is gone, and dist\/prod is a production environment's output/,
  ],
  [
    'a memory request above its limit',
    (dir) =>
      fs.writeFileSync(
        path.join(dir, 'config', 'prod.yaml'),
        stringify({
          ...production(),
          app: { ...production().app, resources: { memoryRequest: '1Gi', memoryLimit: '512Mi' } },
        }),
      ),
    /field app\.resources\.memoryRequest: got "1Gi", above memoryLimit "512Mi"/,
  ],
  [
    'a .yml config file',
    (dir) => fs.writeFileSync(path.join(dir, 'config', 'qa.yml'), stringify({ ...production(), namespace: 'rp-qa' })),
    /config files must end in \.yaml: rename config\/qa\.yml -> config\/qa\.yaml/,
  ],
];

describe.each([
  [
    'npx cdk8s synth',
    (cwd: string) => spawnSync(process.execPath, [CDK8S, 'synth', '--no-check-upgrade'], { cwd, encoding: 'utf8' }),
  ],
  ['the npm synth script', (cwd: string) => spawnSync('sh', ['scripts/synth.sh'], { cwd, encoding: 'utf8' })],
] as const)('%s', (_name, synth) => {
  test.each(ENVIRONMENT_MISTAKES)('fails on %s and leaves dist/ byte-identical', (_what, mistake, message) => {
    const dir = project({ prod: production(), dev: minimalConfig() });
    expect(spawnSync('sh', ['scripts/synth.sh'], { cwd: dir }).status).toBe(0);
    const before = tree(path.join(dir, 'dist'));
    mistake(dir);
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
    dir = scratchDir('rp-fresh-');
    for (const entry of [
      'main.ts',
      'lib',
      'io',
      'imports',
      'scripts',
      'config',
      'tsconfig.json',
      'package.json',
      'package-lock.json',
    ]) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, preserveTimestamps: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    expect(spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
  });
  const deployment = () =>
    fs.readFileSync(path.join(dir, 'dist', 'dev', 'app', 'deployment-reviewpoint-backend.yaml'), 'utf8');

  test('picks up a source edit that kept an old modification time', () => {
    // GIVEN a built copy of the repository
    const labels = path.join(dir, 'lib', 'app', 'labels.ts');
    const { atime, mtime } = fs.statSync(labels);
    // WHEN a source changes and gets its old modification time back (as cp -p, rsync -a and tar do)
    fs.writeFileSync(
      labels,
      fs.readFileSync(labels, 'utf8').replace("PART_OF = 'reviewpoint'", "PART_OF = 'reviewpoint-edited'"),
    );
    fs.utimesSync(labels, atime, mtime);
    const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' });
    // THEN the next synth rebuilds and writes what the source says
    expect(result.stderr).toMatch(/lib\/app\/labels\.ts changed since the last build/);
    expect(result.status).toBe(0);
    expect(deployment()).toContain('app.kubernetes.io/part-of: reviewpoint-edited\n');
  });

  test('fails when a source does not build, rather than running the last bundle, and leaves dist/ as it was', () => {
    // GIVEN a built copy with a synthesized dist/
    const labels = path.join(dir, 'lib', 'app', 'labels.ts');
    const text = fs.readFileSync(labels, 'utf8');
    const before = tree(path.join(dir, 'dist'));
    try {
      // WHEN a source stops compiling
      fs.writeFileSync(labels, `${text}export const broken = ;\n`);
      const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], { cwd: dir, encoding: 'utf8' });
      // THEN the synth fails with esbuild's error, and dist/ is untouched
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/lib\/app\/labels\.ts:\d+:\d+:[\s\S]*synth failed: the build failed/);
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
    const result = spawnSync('sh', ['scripts/synth.sh', '--env', 'dev'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=32' },
    });
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
    const file = path.join(dir, 'out', 'alpha', 'app', 'deployment-reviewpoint-backend.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'),
    );
    const violations: any[] = [];
    let status = '';
    const context = {
      manifests: yamlFiles(path.join(dir, 'out')),
      report: {
        addViolation: (v: any) => violations.push(v),
        submit: (s: string) => {
          status = s;
        },
      },
    };
    // WHEN the plugin validates the files
    await new ReviewpointPolicy({ configDir: path.join(dir, 'config'), outDir: path.join(dir, 'out') }).validate(
      context,
    );
    // THEN the report fails with the rule, the object and the container
    expect(status).toBe('failure');
    expect(violations).toEqual([
      {
        ruleName: 'read-only-root',
        recommendation: 'container "api": securityContext.readOnlyRootFilesystem must be true (got false)',
        fix: 'readOnlyRootFilesystem: true, with a writable emptyDir at /tmp',
        violatingResources: [
          { resourceName: 'Deployment/reviewpoint-backend', locations: ['alpha'], manifestPath: file },
        ],
      },
    ]);
  });

  test('checks the Flux Kustomizations against their schema, and only that', async () => {
    // GIVEN a synthesized environment whose app Kustomization misspells dependsOn
    const dir = project({ alpha: minimalConfig() });
    expect(spawnSync('sh', ['scripts/synth.sh', '--out', 'out'], { cwd: dir }).status).toBe(0);
    const file = path.join(dir, 'out', 'alpha', 'delivery', 'flux', 'kustomization-reviewpoint-backend-alpha.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('dependsOn:', 'dependOn:'));
    const violations: any[] = [];
    // WHEN the plugin validates the files
    const plugin = new ReviewpointPolicy({ configDir: path.join(dir, 'config'), outDir: path.join(dir, 'out') });
    await plugin.validate({
      manifests: yamlFiles(path.join(dir, 'out')),
      report: { addViolation: (v) => violations.push(v), submit: () => {} },
    });
    // THEN the misspelling is reported against the Flux schema; the workload policy does not apply
    // to objects that live in flux-system
    expect(violations).toEqual([
      expect.objectContaining({
        ruleName: 'schema',
        recommendation: 'unknown field spec.dependOn (not in the Flux Kustomization v1 schema)',
        violatingResources: [
          { resourceName: 'Kustomization/reviewpoint-backend-alpha', locations: ['alpha'], manifestPath: file },
        ],
      }),
    ]);
  });

  test('passes the committed output', async () => {
    const manifests = yamlFiles(path.join(ROOT, 'dist'));
    let status = '';
    const violations: unknown[] = [];
    await new ReviewpointPolicy({ configDir: path.join(ROOT, 'config'), outDir: path.join(ROOT, 'dist') }).validate({
      manifests,
      report: {
        addViolation: (v) => violations.push(v),
        submit: (s) => {
          status = s;
        },
      },
    });
    expect(violations).toEqual([]);
    expect(status).toBe('success');
  });
});
