import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { parseEnvironmentConfig, type EnvironmentConfig } from '../lib/config';
import { listEnvironments, loadEnvironment } from '../io/config-files';

export const ROOT = path.resolve(__dirname, '..');
export const CONFIG_DIR = path.join(ROOT, 'config');
/**
 * The committed environments, as config/ has them: a new one gets its snapshot and its checks,
 * a removed one takes nothing down with it. Tests about one shape of environment use the
 * fixtures below, not a committed environment.
 */
export const ENVIRONMENTS = listEnvironments(CONFIG_DIR);

const scratchDirs: string[] = [];

/** a new folder in the system's temp folder, removed when the test file's tests are done */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

// registered by importing this module: no test file can forget it
afterAll(() => {
  for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Copies of the environments as committed when these tests were written: tests about the shape
 * of an environment read these, so adding or removing a committed one takes no test down.
 */
export const FIXTURE_CONFIG_DIR = path.join(ROOT, 'test', 'fixtures', 'config');

/** a fixture environment's config: dev, staging or prod */
export function fixtureConfig(env: 'dev' | 'staging' | 'prod'): EnvironmentConfig {
  return loadEnvironment(FIXTURE_CONFIG_DIR, env);
}

/** a committed environment's config */
export function committedConfig(env: string): EnvironmentConfig {
  return loadEnvironment(CONFIG_DIR, env);
}

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;

/** a small valid config as plain data, for tests to vary */
export function minimalConfig(): Record<string, any> {
  return {
    namespace: 'rp-test',
    app: { image: { repository: 'ghcr.io/acme/backend', tag: '1.0.0' }, replicas: 1 },
    settings: { environment: 'dev' },
    secrets: { name: 'backend-secrets' },
    database: { egress: { cidr: '10.0.0.0/24' } },
    allowIngressFrom: { namespace: 'ingress-nginx' },
    migration: { strategy: 'job', image: { repository: 'ghcr.io/acme/backend-shell', tag: '1.0.0' } },
    // not a placeholder: that is a warning, and an error in production
    delivery: { repoURL: 'https://github.com/acme/gitops.git' },
  };
}

/** a production-valid config as plain data */
export function productionConfig(): Record<string, any> {
  const c = minimalConfig();
  c.production = true;
  c.app.image.digest = DIGEST_A;
  c.app.replicas = 2;
  c.app.podDisruptionBudget = { minAvailable: 1 };
  // per-pod emptyDir uploads with two replicas: allowed in production only when they are disposable
  c.app.uploads = { disposable: true };
  // the ingress controller's pods, admitted by namespace, get their addresses from the pod CIDR
  c.app.trustedProxies = ['10.244.0.0/16'];
  c.migration.image.digest = DIGEST_B;
  return c;
}

/** parse plain data as if it were config/<env>.yaml */
export function configFrom(data: unknown, env = 'test'): EnvironmentConfig {
  return parseEnvironmentConfig(stringify(data), { environment: env, file: `config/${env}.yaml` });
}

/** where every config error of the environment "test" begins */
export const TEST_ERROR_AT = /^config error in environment "test" \(config\/test\.yaml\), field /;

/** the error message of a config edited from a valid one ('no error' when it is accepted) */
export function configErrorOf(base: () => Record<string, any>, edit: (c: Record<string, any>) => void): string {
  const data = base();
  edit(data);
  try {
    configFrom(data);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** a config edited from a valid one is refused with an error at its field that matches `message` */
export function expectConfigError(
  base: () => Record<string, any>,
  edit: (c: Record<string, any>) => void,
  message: RegExp,
): void {
  const error = configErrorOf(base, edit);
  expect(error).toMatch(TEST_ERROR_AT);
  expect(error).toMatch(message);
}

/** parse raw YAML text as if it were config/<env>.yaml */
export function configFromText(text: string, env = 'test'): EnvironmentConfig {
  return parseEnvironmentConfig(text, { environment: env, file: `config/${env}.yaml` });
}

/** a production-shaped environment "prod": a Job migration, an Ingress with TLS, an autoscaler */
export function prodLike(): EnvironmentConfig {
  const c = productionConfig();
  c.namespace = 'reviewpoint-prod';
  c.secrets = { name: 'reviewpoint-backend' };
  delete c.app.replicas;
  c.app.autoscaling = { minReplicas: 2, maxReplicas: 3 };
  c.settings.environment = 'prod';
  c.database = { maxConnections: 200, egress: { cidr: '10.20.0.0/24' } };
  c.ingress = { host: 'api.example.com', className: 'nginx', tlsSecretName: 'reviewpoint-api-tls' };
  return configFrom(c, 'prod');
}

/** a dev-shaped environment "dev": migrations in an init container, the database in its namespace */
export function devLike(): EnvironmentConfig {
  const c = minimalConfig();
  c.namespace = 'reviewpoint-dev';
  c.migration.strategy = 'initContainer';
  c.database = { egress: { namespace: 'reviewpoint-dev', podLabels: { 'app.kubernetes.io/name': 'postgresql' } } };
  return configFrom(c, 'dev');
}

/** the arguments of set-image that bump both of prod's images to 1.4.3, with digests */
export const PROD_IMAGE_BUMP = [
  '--env',
  'prod',
  '--app',
  `ghcr.io/reviewpoint/backend:1.4.3@${DIGEST_A}`,
  '--migration',
  `ghcr.io/reviewpoint/backend-shell:1.4.3@${DIGEST_B}`,
] as const;

/** the HTTPRoute spec the staging fixture synthesizes: its gateway listener to the Service */
export function stagingRouteSpec(): Record<string, any> {
  return {
    parentRefs: [
      {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: 'public',
        namespace: 'gateway-system',
        sectionName: 'https',
      },
    ],
    hostnames: ['api.staging.reviewpoint.example.com'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'reviewpoint-backend', port: 8000, weight: 1 }],
      },
      // the metrics path, private by default: a rule with no backend answers 404
      { matches: [{ path: { type: 'PathPrefix', value: '/api/v1/metrics' } }] },
    ],
  };
}
