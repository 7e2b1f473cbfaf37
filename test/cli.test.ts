/**
 * End to end: one run of every entry point as a user starts it (the npm scripts and `cdk8s
 * synth` with its validation plugin), through the runner (scripts/run.cjs); `npm run synth` has
 * its run in runner.test.ts, on a config error, and the config-schema command in
 * config-schema.test.ts. What each command
 * accepts and refuses is tested in process (main.test.ts, set-image.test.ts, config.test.ts); a
 * real process adds the wiring, the exit code and what is left on disk.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReviewpointPolicy } from '../io/validation-plugin';
import { readTree } from '../io/publish';
import { main } from '../main';
import { FIXTURE_CONFIG_DIR, minimalConfig, PROD_IMAGE_BUMP, ROOT, scratchDir } from './helpers';
import { stringify } from 'yaml';

const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

// real processes: npm and the CLI take a second each on an idle machine, a build about as long
jest.setTimeout(60_000);

/** `npm run <script> -- args` in the repository */
function npmRun(script: string, args: readonly string[] = []): SpawnSyncReturns<string> {
  return spawnSync('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, encoding: 'utf8' });
}

/** a scratch copy of the fixture environments, synthesized (in process) into its dist/ */
function synthesized(): { config: string; out: string } {
  const dir = scratchDir('rp-e2e-');
  const config = path.join(dir, 'config');
  const out = path.join(dir, 'dist');
  fs.cpSync(FIXTURE_CONFIG_DIR, config, { recursive: true });
  expect(main(['--config', config, '--out', out], {}, { log: () => {}, error: () => {} })).toBe(0);
  return { config, out };
}

/** every YAML file below dir, as the cdk8s CLI lists them for its validation plugins */
function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));
}

describe('npm run synth:check', () => {
  test('passes on the committed dist/', () => {
    const result = npmRun('synth:check');
    expect(result.stdout).toMatch(/^dist is up to date$/m);
    expect(result.status).toBe(0);
  });
});

describe('npm run set-image', () => {
  test('sets the images of one environment and synthesizes it', () => {
    // GIVEN a synthesized copy of the fixture environments
    const { config, out } = synthesized();
    const before = fs.readFileSync(path.join(config, 'prod.yaml'), 'utf8');
    // WHEN a pipeline bumps prod's images
    const result = npmRun('set-image', [...PROD_IMAGE_BUMP, '--config', config, '--out', out]);
    // THEN prod's config names them, and dist/ is what the config synthesizes
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const after = fs.readFileSync(path.join(config, 'prod.yaml'), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain(PROD_IMAGE_BUMP[3].split('@')[1]);
    expect(main(['--check', '--config', config, '--out', out], {}, { log: () => {}, error: () => {} })).toBe(0);
  });
});

describe('npm run diff', () => {
  test('reviews the working tree against a commit', () => {
    const result = npmRun('diff', ['--base', 'HEAD']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^## Manifest changes$/m);
  });
});

describe('npx cdk8s synth', () => {
  test('runs the app and the validation plugin, and publishes dist/', () => {
    // GIVEN a project with this repository's cdk8s.yaml and runner
    const dir = scratchDir('rp-cli-');
    fs.copyFileSync(path.join(ROOT, 'cdk8s.yaml'), path.join(dir, 'cdk8s.yaml'));
    fs.symlinkSync(path.join(ROOT, 'scripts'), path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'config'));
    fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), stringify(minimalConfig()));
    // WHEN the CLI synthesizes it
    const result = spawnSync(process.execPath, [CDK8S, 'synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8' });
    // THEN the app published dist/, and the plugin checked the environment and passed
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Status\s+│ success/);
    expect(result.stdout).toMatch(/environments\s+│ alpha/);
    expect([...readTree(path.join(dir, 'dist')).keys()]).toEqual(['alpha']);
  });
});

/** a scratch project with environment alpha synthesized (in process) into out/, as the CLI's folder */
function alphaProject(): string {
  const dir = scratchDir('rp-plugin-');
  fs.mkdirSync(path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), stringify(minimalConfig()));
  const options = ['--config', path.join(dir, 'config'), '--out', path.join(dir, 'out')];
  expect(main(options, {}, { log: () => {}, error: () => {} })).toBe(0);
  return dir;
}

describe('the cdk8s validation plugin', () => {
  test('reports a violation with rule, object and container, and fails the report', async () => {
    // GIVEN a synthesized environment with one container made writable
    const dir = alphaProject();
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
    const dir = alphaProject();
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
