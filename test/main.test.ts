import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../main';
import { readTree } from '../io/publish';
import { CONFIG_DIR, minimalConfig, productionConfig, ROOT } from './helpers';

/** a scratch project: config/ with the given environments, and an output folder */
function scratch(envs: Record<string, unknown>): { config: string; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-synth-'));
  const config = path.join(dir, 'config');
  fs.mkdirSync(config);
  for (const [name, data] of Object.entries(envs)) fs.writeFileSync(path.join(config, `${name}.yaml`), stringify(data));
  return { config, out: path.join(dir, 'dist') };
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stderr: string; stdout: string } {
  const errors: string[] = [];
  const logs: string[] = [];
  const err = jest.spyOn(console, 'error').mockImplementation((m: string) => { errors.push(m); });
  const log = jest.spyOn(console, 'log').mockImplementation((m: string) => { logs.push(m); });
  try {
    return { code: main(args, env), stderr: errors.join('\n'), stdout: logs.join('\n') };
  } finally {
    err.mockRestore();
    log.mockRestore();
  }
}

/** every file below a folder, with its bytes */
function snapshotDir(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

describe('the committed dist/', () => {
  test('is exactly what the committed config synthesizes', () => {
    const result = run(['--check', '--config', CONFIG_DIR, '--out', path.join(ROOT, 'dist')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('publishing', () => {
  test('writes one folder per environment with a kustomization', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: minimalConfig() });
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['alpha', 'beta']);
    expect(fs.readdirSync(path.join(out, 'alpha'))).toContain('kustomization.yaml');
  });

  test('removes the output of an environment whose config file is gone', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: minimalConfig() });
    run(['--config', config, '--out', out]);
    fs.rmSync(path.join(config, 'beta.yaml'));
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['alpha']);
  });

  test('removes the file of an object that is no longer synthesized', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    run(['--config', config, '--out', out]);
    const jobFile = fs.readdirSync(path.join(out, 'alpha', 'migration')).find((f) => f.startsWith('job-'));
    expect(jobFile).toBeDefined();
    fs.writeFileSync(path.join(config, 'alpha.yaml'), stringify({ ...minimalConfig(), migration: { strategy: 'none' } }));
    run(['--config', config, '--out', out]);
    // no Job, no migration stage
    expect(fs.readdirSync(path.join(out, 'alpha')).sort()).toEqual(['README.md', 'app', 'delivery', 'kustomization.yaml']);
  });

  test('with --env, rewrites only that environment and keeps the others', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: minimalConfig() });
    run(['--config', config, '--out', out]);
    const before = snapshotDir(path.join(out, 'beta'));
    fs.writeFileSync(path.join(config, 'beta.yaml'), 'broken: [\n');
    expect(run(['--env', 'alpha', '--config', config, '--out', out]).code).toBe(0);
    expect(snapshotDir(path.join(out, 'beta'))).toEqual(before);
  });

  test('mirrors the output into the cdk8s CLI folder when CDK8S_OUTDIR is set', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    const cliOut = path.join(path.dirname(out), 'cdk8s.out');
    expect(run(['--config', config, '--out', out], { CDK8S_OUTDIR: cliOut }).code).toBe(0);
    expect(snapshotDir(cliOut)).toEqual(snapshotDir(out));
  });
});

describe('a failing run', () => {
  test.each([
    ['a YAML syntax error', 'namespace: [\n', /config\/beta\.yaml\), field \(yaml\): YAML syntax error at line 2/],
    ['an unknown key', stringify({ ...minimalConfig(), replicas: 2 }), /field replicas: unknown key "replicas"/],
    ['a production image without digest', stringify({ ...minimalConfig(), production: true }), /field app\.image\.digest: missing in a production environment/],
  ])('with %s leaves the previous output byte-identical', (_what, text, message) => {
    // GIVEN a published tree
    const { config, out } = scratch({ alpha: minimalConfig(), beta: minimalConfig() });
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    const before = snapshotDir(out);
    // WHEN one environment's config breaks
    fs.writeFileSync(path.join(config, 'beta.yaml'), text);
    const result = run(['--config', config, '--out', out]);
    // THEN the run fails loudly, and nothing changed on disk
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/environment "beta"/);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/the previous output is untouched/);
    expect(snapshotDir(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['config', 'dist']);
  });

  test('fails when the environment name is unknown', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    const result = run(['--env', 'qa', '--config', config, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown environment "qa": missing environment file .*config\/qa\.yaml; allowed: one of alpha/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails when the environment name is not a valid name', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    const result = run(['--env', 'QA_1', '--config', config, '--out', out]);
    expect(result.stderr).toMatch(/unknown environment name "QA_1"; allowed: one of alpha/);
  });

  test('fails when an environment file has an invalid name', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), Prod_1: minimalConfig() });
    const result = run(['--config', config, '--out', out]);
    expect(result.stderr).toMatch(/unknown environment name "Prod_1" \(file .*Prod_1\.yaml\); allowed: a DNS-1123 label/);
  });

  test('fails when there are no environment files', () => {
    const { config, out } = scratch({});
    expect(run(['--config', config, '--out', out]).stderr).toMatch(/no environment files in .*config/);
  });

  test('fails on an unknown option', () => {
    expect(run(['--outdir', 'x']).stderr).toMatch(/unknown option --outdir; allowed: --env/);
  });

  test('--check fails when the output is stale', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    run(['--config', config, '--out', out]);
    fs.writeFileSync(path.join(out, 'alpha', 'extra.yaml'), 'x: 1\n');
    const result = run(['--check', '--config', config, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/alpha\/extra\.yaml is stale/);
    expect(readTree(out).get('alpha')!.has('extra.yaml')).toBe(true);
  });
});

/** every bad input the synth must refuse, as an edit of a valid config, with its message */
const BAD_INPUTS: Array<[string, string | ((c: Record<string, any>) => void), RegExp]> = [
  ['a YAML syntax error', 'namespace: [\n', /field \(yaml\): YAML syntax error at line 2/],
  ['an unknown key', (c) => { c.app.replicaz = 2; }, /field app\.replicaz: unknown key "replicaz" \(did you mean "replicas"\?\)/],
  ['a wrong type', (c) => { c.app.replicas = 'two'; }, /field app\.replicas: got string "two"/],
  ['an invalid quantity', (c) => { c.app.resources = { memoryLimit: '512MB' }; }, /field app\.resources\.memoryLimit: got string "512MB"; allowed: a Kubernetes quantity/],
  ['an invalid DNS-1123 name', (c) => { c.namespace = 'Bad_Name'; }, /field namespace: got string "Bad_Name"; allowed: a DNS-1123 label/],
  ['an image without tag', (c) => { delete c.app.image.tag; }, /field app\.image: got ghcr\.io\/acme\/backend with neither tag nor digest/],
  ['an image tagged latest', (c) => { c.app.image.tag = 'latest'; }, /field app\.image\.tag: got string "latest"/],
  ['a production image without digest', (c) => { c.production = true; c.app.replicas = 2; c.app.podDisruptionBudget = { minAvailable: 1 }; }, /field app\.image\.digest: missing in a production environment/],
  ['replicas < 1', (c) => { c.app.replicas = 0; }, /field app\.replicas: got number 0; allowed: >= 1/],
  ['autoscaling min > max', (c) => { delete c.app.replicas; c.app.autoscaling = { minReplicas: 3, maxReplicas: 2 }; }, /field app\.autoscaling\.minReplicas: got 3, above maxReplicas 2/],
  ['a PodDisruptionBudget that blocks every eviction', (c) => { c.app.podDisruptionBudget = { minAvailable: 1 }; }, /field app\.podDisruptionBudget\.minAvailable: got 1 with 1 replica\(s\) at the minimum/],
  ['the init-container strategy with several replicas', (c) => { c.migration.strategy = 'initContainer'; c.app.replicas = 2; }, /field migration\.strategy: got "initContainer" with up to 2 replicas/],
  ['a database connection budget overrun', (c) => { c.settings.environment = 'prod'; c.app.replicas = 4; }, /field database\.maxConnections: got 100, but \(4 max replicas \+ 1 surge\) x 30/],
  ['auth disabled in production', (c) => { Object.assign(c, productionData()); c.settings.authEnabled = false; }, /field settings\.authEnabled: got false in a production environment/],
  ['the test environment in production', (c) => { Object.assign(c, productionData()); c.settings.environment = 'test'; }, /field settings\.environment: got "test" in a production environment/],
  ['test mode in production', (c) => { Object.assign(c, productionData()); c.settings.extraEnv = { REVIEWPOINT_TEST_MODE: '1' }; }, /field settings\.extraEnv\.REVIEWPOINT_TEST_MODE/],
  ['debug in production', (c) => { Object.assign(c, productionData()); c.settings.extraEnv = { REVIEWPOINT_DEBUG: 'true' }; }, /field settings\.extraEnv\.REVIEWPOINT_DEBUG/],
];

function productionData(): Record<string, any> {
  return JSON.parse(JSON.stringify(productionConfig()));
}

describe('every bad input', () => {
  test.each(BAD_INPUTS)('fails on %s, naming environment and file, and leaves dist/ byte-identical', async (_what, edit, message) => {
    // GIVEN a published tree
    const { config, out } = scratch({ alpha: minimalConfig(), beta: minimalConfig() });
    expect((await run(['--config', config, '--out', out])).code).toBe(0);
    const before = snapshotDir(out);
    // WHEN beta's config goes bad
    let text: string;
    if (typeof edit === 'string') text = edit;
    else { const data = minimalConfig(); edit(data); text = stringify(data); }
    fs.writeFileSync(path.join(config, 'beta.yaml'), text);
    const result = await run(['--config', config, '--out', out]);
    // THEN the run fails with the message, and nothing changed on disk
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/config error in environment "beta" \(.*config\/beta\.yaml\)/);
    expect(result.stderr).toMatch(message);
    expect(snapshotDir(out)).toEqual(before);
  });
});
