import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { baseFile, configFile, listEnvironments, loadEnvironment, selectEnvironments } from '../io/config-files';
import { setImage } from '../io/set-image';
import { MAX_CONFIG_BYTES, readEnvironmentConfig } from '../lib/config';
import { main, synthesize, type Output } from '../main';
import { DIGEST_A, DIGEST_B, minimalConfig, productionConfig, scratchDir } from './helpers';

type Data = Record<string, any>;

/** a config folder with these environments' files, and the base file unless it is undefined */
function configDir(envs: Record<string, Data>, base?: Data | string): string {
  const dir = path.join(scratchDir('rp-base-'), 'config');
  fs.mkdirSync(dir);
  if (base !== undefined) fs.writeFileSync(baseFile(dir), typeof base === 'string' ? base : stringify(base));
  for (const [env, data] of Object.entries(envs)) fs.writeFileSync(configFile(dir, env), stringify(data));
  return dir;
}

/** what the base sets for the environments below: the shared half of minimalConfig() */
function shared(): Data {
  const c = minimalConfig();
  return {
    app: { image: { repository: c.app.image.repository } },
    secrets: c.secrets,
    database: { port: 6432, egress: c.database.egress },
    dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, port: 53 },
    settings: { allowedOrigins: ['https://a.example.com', 'https://b.example.com'], extraEnv: { A: '1', B: '2' } },
    delivery: { repoURL: 'https://github.com/acme/gitops.git' },
  };
}

/** an environment's own half: what minimalConfig() has beyond shared() */
function own(namespace = 'rp-test'): Data {
  const c = minimalConfig();
  return {
    namespace,
    app: { image: { tag: c.app.image.tag }, replicas: 1 },
    settings: c.settings,
    allowIngressFrom: c.allowIngressFrom,
    migration: c.migration,
  };
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('the base file: config/_base.yaml under every environment', () => {
  test("merges mappings key by key, the environment's value winning", () => {
    // GIVEN a base with the image's repository, the database port and DNS, and an environment
    // that sets the tag and only DNS's port
    const dir = configDir({ dev: { ...own(), dns: { port: 5353 } } }, shared());
    // WHEN it loads
    const c = loadEnvironment(dir, 'dev');
    // THEN each mapping holds the keys of both, the environment's where both set one
    expect(c.app.image).toEqual({ repository: 'ghcr.io/acme/backend', tag: '1.0.0' });
    expect(c.database.port).toBe(6432);
    expect(c.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, port: 5353 });
    expect(c.secrets.name).toBe('backend-secrets');
  });

  test('replaces a list or a scalar whole', () => {
    // GIVEN a base with two origins and a port, and an environment with one origin and a port
    const env: Data = { ...own(), settings: { ...own().settings, allowedOrigins: ['https://c.example.com'] } };
    env.database = { port: 5432 };
    const c = loadEnvironment(configDir({ dev: env }, shared()), 'dev');
    // THEN the environment's list is all there is, not a concatenation
    expect(c.settings.allowedOrigins).toEqual(['https://c.example.com']);
    expect(c.database.port).toBe(5432);
    // and the base's other settings stay
    expect(c.settings.extraEnv).toEqual({ A: '1', B: '2' });
  });

  test('removes a base value where the environment says null', () => {
    // GIVEN a base with two variables and DNS pod labels, and an environment removing one of each
    const env = { ...own(), settings: { ...own().settings, extraEnv: { A: null } }, dns: { podLabels: null } };
    const c = loadEnvironment(configDir({ dev: env }, shared()), 'dev');
    // THEN they are gone: the variable from its mapping, the labels from DNS's
    expect(c.settings.extraEnv).toEqual({ B: '2' });
    expect(c.dns).toEqual({ namespace: 'kube-system', port: 53 });
  });

  test('fails when the environment says null where the base has nothing: null only removes', () => {
    const env = { ...own(), app: { ...own().app, replicas: null } };
    expect(errorOf(() => loadEnvironment(configDir({ dev: env }, shared()), 'dev'))).toMatch(
      /^config error in environment "dev" \(.*dev\.yaml\), field app\.replicas: got null; allowed: a number/,
    );
  });

  test('is optional: without it, an environment is its own file', () => {
    const dir = configDir({ dev: minimalConfig() });
    expect(loadEnvironment(dir, 'dev').secrets.name).toBe('backend-secrets');
  });

  test('is no environment: not listed, not selectable, no output folder', () => {
    const dir = configDir({ dev: own('rp-dev'), prod: { ...own('rp-prod') } }, shared());
    expect(listEnvironments(dir)).toEqual(['dev', 'prod']);
    expect(() => selectEnvironments(dir, listEnvironments(dir), ['_base'])).toThrow(
      /unknown environment name "_base"; allowed: one of dev, prod/,
    );
    expect(synthesize({ configDir: dir }).rendered.map((r) => r.name)).toEqual(['dev', 'prod']);
  });
});

describe('errors name the file the value came from', () => {
  test('fails when a base value is refused, naming the base file, the field and each environment it breaks', () => {
    // GIVEN a base with port 0, under two environments
    const base = { ...shared(), database: { ...shared().database, port: 0 } };
    const dir = configDir({ dev: own('rp-dev'), staging: own('rp-staging') }, base);
    // WHEN both synthesize THEN each reports the base file's field, once per environment
    const message = errorOf(() => synthesize({ configDir: dir }));
    expect(message.split('\n')).toEqual([
      `config error in environment "dev" (${baseFile(dir)}), field database.port: got number 0; allowed: >= 1`,
      `config error in environment "staging" (${baseFile(dir)}), field database.port: got number 0; allowed: >= 1`,
    ]);
  });

  test("fails when the environment's value is refused, naming the environment's file", () => {
    const env = { ...own(), database: { port: 70000 } };
    const dir = configDir({ dev: env }, shared());
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toBe(
      `config error in environment "dev" (${configFile(dir, 'dev')}), field database.port: got number 70000; allowed: <= 65535`,
    );
  });

  test('fails when a base key is unknown, naming the base file with the hint', () => {
    const dir = configDir({ dev: own() }, { ...shared(), dsn: { port: 53 } });
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(
        `^config error in environment "dev" \\(${baseFile(dir)}\\), field dsn: unknown key "dsn" \\(did you mean "dns"\\?\\)`,
      ),
    );
  });

  test("fails when a required field is in neither file, naming the environment's file", () => {
    const env = own();
    delete env.migration;
    const dir = configDir({ dev: env }, shared());
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(`^config error in environment "dev" \\(${configFile(dir, 'dev')}\\), field migration: missing`),
    );
  });

  test('fails when a rule across fields breaks on a base value, naming the base file and the environment', () => {
    // GIVEN a base that allows 20 database connections, and an environment with 2 replicas
    const base = { ...shared(), database: { ...shared().database, maxConnections: 20 } };
    const dir = configDir({ dev: { ...own(), app: { ...own().app, replicas: 2 } } }, base);
    // THEN the budget names the base file, where the value is
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(
        `^config error in environment "dev" \\(${baseFile(dir)}\\), field database\\.maxConnections: got 20, but \\(2 max replicas \\+ 1 surge \\+ 1 terminating\\)`,
      ),
    );
  });

  test('fails when a rule judges a mapping both files set, naming both', () => {
    // GIVEN a base with maxSurge 0, and an environment with maxUnavailable 0
    const base = { ...shared(), app: { ...shared().app, rollingUpdate: { maxSurge: 0 } } };
    const env = { ...own(), app: { ...own().app, rollingUpdate: { maxUnavailable: 0 } } };
    const dir = configDir({ dev: env }, base);
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(
        `^config error in environment "dev" \\(${baseFile(dir)} and ${configFile(dir, 'dev')}\\), field app\\.rollingUpdate: got maxSurge 0 and maxUnavailable 0`,
      ),
    );
  });

  test("fails when a list item from the base is refused, naming the base file and the item's field", () => {
    const base = { ...shared(), settings: { allowedOrigins: ['https://a.example.com/path'] } };
    const dir = configDir({ dev: own() }, base);
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(`^config error in environment "dev" \\(${baseFile(dir)}\\), field settings\\.allowedOrigins\\.0: got`),
    );
  });
});

describe('the base file is read like every config file', () => {
  test('fails when the base file is a symbolic link, even to a file in config/', () => {
    const dir = configDir({ dev: own() });
    fs.writeFileSync(path.join(path.dirname(dir), 'shared.yaml'), stringify(shared()));
    fs.symlinkSync(path.join(path.dirname(dir), 'shared.yaml'), baseFile(dir));
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toBe(
      `config error in environment "dev" (${baseFile(dir)}), field (root): ${baseFile(dir)} is a symbolic link; allowed: a regular file in ${dir} (a copy, not a link: a link can point anywhere)`,
    );
  });

  test('fails when the base file is larger than a config file may be', () => {
    const dir = configDir({ dev: own() }, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(
        `\\(${baseFile(dir)}\\), field \\(root\\): ${baseFile(dir)} has \\d+ bytes; allowed: at most ${MAX_CONFIG_BYTES}`,
      ),
    );
  });

  test('fails when the base file is a folder', () => {
    const dir = configDir({ dev: own() });
    fs.mkdirSync(baseFile(dir));
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(/_base\.yaml is a folder; allowed: a regular file/);
  });

  test('fails when the base file holds an alias', () => {
    const dir = configDir({ dev: own() }, `${stringify(shared())}extra: &a 1\nmore: *a\n`);
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toMatch(
      new RegExp(`\\(${baseFile(dir)}\\), field \\(yaml\\): YAML syntax error at line \\d+, column \\d+: an alias`),
    );
  });

  test('fails when the base file is not a mapping', () => {
    const dir = configDir({ dev: own() }, '- a\n- b\n');
    expect(errorOf(() => loadEnvironment(dir, 'dev'))).toBe(
      `config error in environment "dev" (${baseFile(dir)}), field (root): got a list ["a","b"]; allowed: a mapping of settings (see README, "Configuration")`,
    );
  });
});

describe('a placeholder repository', () => {
  const lines = (dir: string, args: string[] = []) => {
    const out = { log: [] as string[], error: [] as string[] };
    const output: Output = { log: (l) => out.log.push(l), error: (l) => out.error.push(l) };
    const code = main(['--config', dir, '--out', path.join(path.dirname(dir), 'dist'), ...args], {}, output);
    return { code, ...out };
  };

  test('is a warning outside production when no file sets delivery.repoURL: printed on stderr, the run succeeds', () => {
    // GIVEN a non-production environment and no repository anywhere
    const c = minimalConfig();
    delete c.delivery;
    const dir = configDir({ dev: c });
    // WHEN it synthesizes
    const run = lines(dir);
    // THEN it succeeds, and stderr says which field, which file and what to do
    expect(run.code).toBe(0);
    expect(run.error).toEqual([
      `config warning in environment "dev" (${configFile(dir, 'dev')}), field delivery.repoURL: got "https://git.example.com/gitops.git", the built-in placeholder (no file sets it): the delivery objects in its output point at no real repository; allowed: the Git repository dist/ is committed to, e.g. once for every environment in the base file (_base.yaml in the config folder)`,
    ]);
    expect(synthesize({ configDir: dir }).warnings).toHaveLength(1);
  });

  test('is a warning outside production at an example.org host, naming the base file that set it', () => {
    const dir = configDir(
      { dev: own() },
      { ...shared(), delivery: { repoURL: 'git@git.example.org:acme/gitops.git' } },
    );
    const { config, warnings } = readEnvironmentConfig(
      'dev',
      { text: fs.readFileSync(configFile(dir, 'dev'), 'utf8'), file: configFile(dir, 'dev') },
      { text: fs.readFileSync(baseFile(dir), 'utf8'), file: baseFile(dir) },
    );
    expect(config.delivery.repoURL).toBe('git@git.example.org:acme/gitops.git');
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^config warning in environment "dev" \\(${baseFile(dir)}\\), field delivery\\.repoURL: got "git@git\\.example\\.org:acme/gitops\\.git", a placeholder host \\(git\\.example\\.org\\)`,
        ),
      ),
    ]);
  });

  test('is no warning at a real host', () => {
    const dir = configDir({ dev: own() }, shared());
    expect(lines(dir)).toMatchObject({ code: 0, error: [] });
  });

  test('fails in production when no file sets delivery.repoURL', () => {
    const c = productionConfig();
    delete c.delivery;
    const dir = configDir({ prod: c });
    const run = lines(dir);
    expect(run.code).toBe(1);
    expect(run.error[0]).toBe(
      `synth failed: config error in environment "prod" (${configFile(dir, 'prod')}), field delivery.repoURL: got "https://git.example.com/gitops.git", the built-in placeholder (no file sets it): a production environment must name the repository its Argo CD Application and Flux GitRepository read; allowed: the Git repository dist/ is committed to, e.g. once for every environment in the base file (_base.yaml in the config folder)`,
    );
    expect(fs.existsSync(path.join(path.dirname(dir), 'dist'))).toBe(false);
  });

  test('fails in production at an example.com host from the base file, naming it', () => {
    const prod: Data = { ...own('rp-prod'), production: true };
    prod.app = {
      image: { tag: '1.0.0', digest: DIGEST_A },
      replicas: 2,
      podDisruptionBudget: { minAvailable: 1 },
      uploads: { disposable: true },
      trustedProxies: ['10.244.0.0/16'],
    };
    prod.migration = { ...prod.migration, image: { ...prod.migration.image, digest: DIGEST_B } };
    const base = { ...shared(), delivery: { repoURL: 'https://example.com/acme/gitops.git' } };
    const dir = configDir({ prod }, base);
    expect(errorOf(() => loadEnvironment(dir, 'prod'))).toMatch(
      new RegExp(
        `^config error in environment "prod" \\(${baseFile(dir)}\\), field delivery\\.repoURL: got "https://example\\.com/acme/gitops\\.git", a placeholder host \\(example\\.com\\): a production environment`,
      ),
    );
    // and the environment's own repository overrides the base's
    fs.writeFileSync(
      configFile(dir, 'prod'),
      stringify({ ...prod, delivery: { repoURL: 'https://github.com/acme/gitops.git' } }),
    );
    expect(loadEnvironment(dir, 'prod').delivery.repoURL).toBe('https://github.com/acme/gitops.git');
  });
});

describe('set-image over a base file', () => {
  test("writes the full reference into the environment's file, and leaves the base file as it was", () => {
    // GIVEN an environment whose image repository comes from the base
    const dir = configDir({ dev: own('rp-dev') }, shared());
    const baseBefore = fs.readFileSync(baseFile(dir), 'utf8');
    const out: Output = { log: () => {}, error: (l) => console.error(l) };
    // WHEN the release pipeline bumps it
    const code = setImage(
      [
        '--env',
        'dev',
        '--app',
        'ghcr.io/acme/backend:1.0.1',
        '--config',
        dir,
        '--out',
        path.join(path.dirname(dir), 'dist'),
      ],
      out,
    );
    // THEN the environment's file names the whole reference, and the base is untouched
    expect(code).toBe(0);
    expect(fs.readFileSync(configFile(dir, 'dev'), 'utf8')).toContain('repository: ghcr.io/acme/backend\n');
    expect(loadEnvironment(dir, 'dev').app.image).toEqual({ repository: 'ghcr.io/acme/backend', tag: '1.0.1' });
    expect(fs.readFileSync(baseFile(dir), 'utf8')).toBe(baseBefore);
  });
});
