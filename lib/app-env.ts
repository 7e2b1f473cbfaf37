/**
 * The backend's environment: non-secret settings for the ConfigMap, secret ones by reference.
 * Shared by the app container and the migration, which imports the same settings module.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import type { EnvironmentConfig } from './config';
import { byCodeUnit } from './determinism';
import { APP_NAME } from './labels';

export const UPLOAD_DIR = '/app/uploads';
/** the ConfigMap both the app and the migration read their settings from */
export const CONFIG_MAP_NAME = APP_NAME;

/** ConfigMap data: every non-secret REVIEWPOINT_* setting, sorted so the hash is stable */
export function configMapData(config: EnvironmentConfig): Record<string, string> {
  const s = config.settings;
  const data: Record<string, string> = {
    // no __pycache__ writes on a read-only root filesystem
    PYTHONDONTWRITEBYTECODE: '1',
    REVIEWPOINT_ENVIRONMENT: s.environment,
    REVIEWPOINT_LOG_LEVEL: s.logLevel,
    REVIEWPOINT_ALLOWED_ORIGINS: JSON.stringify(s.allowedOrigins),
    REVIEWPOINT_AUTH_ENABLED: String(s.authEnabled),
    REVIEWPOINT_API_KEY_ENABLED: String(s.apiKeyEnabled),
    REVIEWPOINT_UPLOAD_DIR: UPLOAD_DIR,
    REVIEWPOINT_FEATURES: s.features.join(','),
    ...s.extraEnv,
  };
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => byCodeUnit(a, b)));
}

// workload.ts and migration.ts still import it from here; its home is determinism.ts
export { contentHash } from './determinism';

/** secrets by secretKeyRef: the Secret's data never enters the manifests */
export function secretEnv(config: EnvironmentConfig): k8s.EnvVar[] {
  const { name, dbUrlKey, jwtSecretKey, apiKeyKey } = config.secrets;
  const ref = (envName: string, key: string): k8s.EnvVar => ({ name: envName, valueFrom: { secretKeyRef: { name, key } } });
  return [
    ref('REVIEWPOINT_DB_URL', dbUrlKey),
    ref('REVIEWPOINT_JWT_SECRET_KEY', jwtSecretKey),
    // legacy name that startup still requires: same secret as the key above
    ref('REVIEWPOINT_JWT_SECRET', jwtSecretKey),
    ...(config.settings.apiKeyEnabled ? [ref('REVIEWPOINT_API_KEY', apiKeyKey)] : []),
  ];
}
