import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../main';
import { readTree } from '../io/publish';
import { minimalConfig, productionConfig, scratchDir } from './helpers';

/** a second environment: its own namespace, since two environments may not share one */
const beta = () => ({ ...minimalConfig(), namespace: 'rp-beta' });

/** a scratch project: config/ with the given environments, and an output folder */
function scratch(envs: Record<string, unknown>): { config: string; out: string } {
  const dir = scratchDir('rp-synth-');
  const config = path.join(dir, 'config');
  fs.mkdirSync(config);
  for (const [name, data] of Object.entries(envs)) fs.writeFileSync(path.join(config, `${name}.yaml`), stringify(data));
  return { config, out: path.join(dir, 'dist') };
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stderr: string; stdout: string } {
  const errors: string[] = [];
  const logs: string[] = [];
  const err = jest.spyOn(console, 'error').mockImplementation((m: string) => {
    errors.push(m);
  });
  const log = jest.spyOn(console, 'log').mockImplementation((m: string) => {
    logs.push(m);
  });
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

describe('publishing', () => {
  test('writes one folder per environment with a kustomization', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: beta() });
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['alpha', 'beta']);
    expect(fs.readdirSync(path.join(out, 'alpha'))).toContain('kustomization.yaml');
  });

  test('removes the output of an environment whose config file is gone', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: beta() });
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
    fs.writeFileSync(
      path.join(config, 'alpha.yaml'),
      stringify({ ...minimalConfig(), migration: { strategy: 'none' } }),
    );
    run(['--config', config, '--out', out]);
    // no Job, no migration stage
    expect(fs.readdirSync(path.join(out, 'alpha')).sort()).toEqual([
      'README.md',
      'app',
      'delivery',
      'kustomization.yaml',
    ]);
  });

  test('with --env, rewrites only that environment and keeps the others', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: beta() });
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
  // each config error has its unit case in config.test.ts; these two show one from the parser
  // and one from the rules across fields reaching the user through main()
  test.each([
    ['a YAML syntax error', 'namespace: [\n', /config\/beta\.yaml\), field \(yaml\): YAML syntax error at line 2/],
    [
      'a production image without digest',
      stringify({ ...minimalConfig(), production: true }),
      /field app\.image\.digest: missing in a production environment/,
    ],
  ])('with %s leaves the previous output byte-identical', (_what, text, message) => {
    // GIVEN a published tree
    const { config, out } = scratch({ alpha: minimalConfig(), beta: beta() });
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
    expect(result.stderr).toMatch(
      /unknown environment "qa": missing environment file .*config\/qa\.yaml; allowed: one of alpha/,
    );
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
    expect(result.stderr).toMatch(
      /unknown environment name "Prod_1" \(file .*Prod_1\.yaml\); allowed: a DNS-1123 label/,
    );
  });

  test('fails when there are no environment files', () => {
    const { config, out } = scratch({});
    expect(run(['--config', config, '--out', out]).stderr).toMatch(/no environment files in .*config/);
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

describe('the command line', () => {
  test('--help prints the usage and exits 0', () => {
    const result = run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run synth -- \[options\]/);
    expect(result.stdout).toMatch(/--remove NAME\[,NAME\]/);
  });

  test('fails on an unknown option, pointing to --help', () => {
    expect(run(['--verbose']).stderr).toMatch(
      /unknown option --verbose; allowed: .*--help \(npm run synth -- --help\)/,
    );
  });

  test('says per environment what changed', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    expect(run(['--config', config, '--out', out]).stdout).toMatch(
      /dist\/alpha: 10 objects; 19 files added, 0 changed, 0 removed, 0 unchanged/,
    );
    fs.writeFileSync(
      path.join(config, 'alpha.yaml'),
      stringify({ ...minimalConfig(), settings: { environment: 'dev', logLevel: 'WARNING' } }),
    );
    // changed: the ConfigMap, the Deployment (its checksum), the migration folder's list and the
    // environment's README (it names the Job); the Job carries the settings, so it has a new
    // name: one file added, one removed
    expect(run(['--config', config, '--out', out]).stdout).toMatch(
      /dist\/alpha: 10 objects; 1 files added, 4 changed, 1 removed, 14 unchanged/,
    );
  });
});

describe('environments that would collide or vanish', () => {
  test('fails when two environments share a namespace, naming both, and writes nothing', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: minimalConfig() });
    const result = run(['--config', config, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /environment "beta" \(.*beta\.yaml\), field namespace: got "rp-test", the namespace of environment "alpha" \(.*alpha\.yaml\) too/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails when two environments share an ingress host', () => {
    const ingress = { host: 'api.example.com' };
    const { config, out } = scratch({ alpha: { ...minimalConfig(), ingress }, beta: { ...beta(), ingress } });
    expect(run(['--config', config, '--out', out]).stderr).toMatch(
      /environment "beta" .*field ingress\.host: got "api\.example\.com", the host of environment "alpha"/,
    );
  });

  test('fails when an environment with --env takes the namespace of one not synthesized', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: beta() });
    fs.writeFileSync(path.join(config, 'beta.yaml'), stringify(minimalConfig()));
    expect(run(['--env', 'beta', '--config', config, '--out', out]).stderr).toMatch(
      /field namespace: got "rp-test", the namespace of environment "alpha"/,
    );
  });

  test('reports every problem of every environment in one run', () => {
    const { config, out } = scratch({
      alpha: { ...minimalConfig(), namespce: 'x' },
      beta: { ...beta(), app: { image: { repository: 'ghcr.io/acme/backend', tag: 'latest' } } },
    });
    const lines = run(['--config', config, '--out', out]).stderr.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/environment "alpha" .*field namespce: unknown key/),
        expect.stringMatching(/environment "beta" .*field app\.image\.tag: got string "latest"/),
      ]),
    );
  });

  test('announces the removal of an environment whose config file is gone', () => {
    const { config, out } = scratch({ alpha: minimalConfig(), beta: beta() });
    run(['--config', config, '--out', out]);
    fs.rmSync(path.join(config, 'beta.yaml'));
    expect(run(['--config', config, '--out', out]).stdout).toMatch(
      /dist\/beta: removed, since .*config\/beta\.yaml is gone/,
    );
  });

  test('fails when a production environment loses its config file, unless --remove names it', () => {
    // GIVEN a published production environment
    const { config, out } = scratch({ alpha: minimalConfig(), prod: { ...productionConfig(), namespace: 'rp-prod' } });
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    const before = snapshotDir(out);
    // WHEN its config file goes
    fs.rmSync(path.join(config, 'prod.yaml'));
    const result = run(['--config', config, '--out', out]);
    // THEN the run refuses, names the way out, and leaves dist/ as it was
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /config\/prod\.yaml is gone, and .*dist\/prod is a production environment's output: .*confirm with npm run synth -- --remove prod/,
    );
    expect(snapshotDir(out)).toEqual(before);
    // AND with --remove prod it goes
    expect(run(['--remove', 'prod', '--config', config, '--out', out]).code).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['alpha']);
  });

  test('fails on a .yml config file instead of ignoring it', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    fs.writeFileSync(path.join(config, 'qa.yml'), stringify(beta()));
    const result = run(['--config', config, '--out', out]);
    expect(result.stderr).toMatch(/config files must end in \.yaml: rename .*config\/qa\.yml -> .*config\/qa\.yaml/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--check failure names the command that brings the output up to date', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    run(['--config', config, '--out', out]);
    fs.writeFileSync(path.join(out, 'alpha', 'extra.yaml'), 'x: 1\n');
    expect(run(['--check', '--config', config, '--out', out]).stderr).toMatch(
      /run: npm run synth -- --out .*dist, then commit/,
    );
  });
});

describe('environments sharing a route host', () => {
  test("fails when an HTTPRoute host is another environment's Ingress host", () => {
    const route = { gateway: { name: 'public', namespace: 'gateway-system' }, hostnames: ['api.example.com'] };
    const { config, out } = scratch({
      alpha: { ...minimalConfig(), ingress: { host: 'api.example.com' } },
      beta: { ...beta(), route },
    });
    expect(run(['--config', config, '--out', out]).stderr).toMatch(
      /environment "beta" .*field route\.hostnames\[0\]: got "api\.example\.com", the host of environment "alpha"/,
    );
  });
});

describe('options', () => {
  test('take a list as NAME,NAME or as the option repeated', () => {
    const { config, out } = scratch({
      alpha: minimalConfig(),
      beta: beta(),
      gamma: { ...minimalConfig(), namespace: 'rp-gamma' },
    });
    expect(run(['--env', 'alpha,beta', '--env', 'gamma', '--config', config, '--out', out]).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['alpha', 'beta', 'gamma']);
  });

  test('fail when an option that takes one value is given twice', () => {
    const { config, out } = scratch({ alpha: minimalConfig() });
    const result = run(['--config', config, '--out', out, '--out', `${out}-2`]);
    expect(result.stderr).toMatch(/option --out given 2 times \(.*dist, .*dist-2\); it takes one; allowed: --env NAME/);
    expect(result.code).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fail when an option misses its value', () => {
    expect(run(['--env']).stderr).toMatch(/option --env needs a value; allowed: --env NAME\[,NAME\]/);
  });

  test('fail on an argument that is not an option', () => {
    expect(run(['prod']).stderr).toMatch(/Unexpected argument 'prod'.*; allowed: --env/);
  });
});
