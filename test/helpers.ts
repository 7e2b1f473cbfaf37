import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { parseEnvironmentConfig, type EnvironmentConfig } from '../lib/config';
import { loadEnvironment } from '../io/config-files';

export const ROOT = path.resolve(__dirname, '..');
export const CONFIG_DIR = path.join(ROOT, 'config');
export const ENVIRONMENTS = ['dev', 'prod', 'staging'] as const;

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
  };
}

/** a production-valid config as plain data */
export function productionConfig(): Record<string, any> {
  const c = minimalConfig();
  c.production = true;
  c.app.image.digest = DIGEST_A;
  c.app.replicas = 2;
  c.app.podDisruptionBudget = { minAvailable: 1 };
  c.migration.image.digest = DIGEST_B;
  return c;
}

/** parse plain data as if it were config/<env>.yaml */
export function configFrom(data: unknown, env = 'test'): EnvironmentConfig {
  return parseEnvironmentConfig(stringify(data), { environment: env, file: `config/${env}.yaml` });
}

/** parse raw YAML text as if it were config/<env>.yaml */
export function configFromText(text: string, env = 'test'): EnvironmentConfig {
  return parseEnvironmentConfig(text, { environment: env, file: `config/${env}.yaml` });
}
