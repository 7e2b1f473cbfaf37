/**
 * The backend's environment: non-secret settings for the ConfigMap, secret ones by reference.
 * Shared by the app container and the migration, which imports the same settings module.
 */
// types only: config.ts imports this module, and the validation plugin should not bundle the API
import type { EnvVar } from 'cdk8s-plus-28/lib/imports/k8s';
import type { EnvironmentConfig } from './config/schema';
import { settingName } from './backend-settings';
import { byCodeUnit } from './determinism';
import { APP_NAME } from './app/labels';

export const UPLOAD_DIR = '/app/uploads';
/** the volume at UPLOAD_DIR: the settings module creates that folder when it is imported */
export const UPLOADS_VOLUME = 'uploads';
/** the ConfigMap both the app and the migration read their settings from */
export const CONFIG_MAP_NAME = APP_NAME;

type Settings = EnvironmentConfig['settings'];
type SecretKey = 'dbUrlKey' | 'jwtSecretKey' | 'apiKeyKey';

/** the non-secret variables the ConfigMap sets, each from its setting */
const SETTINGS_ENV: Readonly<Record<string, (s: Settings) => string>> = {
  // no __pycache__ writes on a read-only root filesystem
  PYTHONDONTWRITEBYTECODE: () => '1',
  REVIEWPOINT_ENVIRONMENT: (s) => s.environment,
  REVIEWPOINT_LOG_LEVEL: (s) => s.logLevel,
  REVIEWPOINT_ALLOWED_ORIGINS: (s) => JSON.stringify(s.allowedOrigins),
  REVIEWPOINT_AUTH_ENABLED: (s) => String(s.authEnabled),
  REVIEWPOINT_API_KEY_ENABLED: (s) => String(s.apiKeyEnabled),
  REVIEWPOINT_UPLOAD_DIR: () => UPLOAD_DIR,
  REVIEWPOINT_FEATURES: (s) => s.features.join(','),
};

/** the settings field each variable of SETTINGS_ENV comes from, for errors that name the field */
const SETTING_FIELD: Readonly<Record<string, keyof Settings>> = {
  REVIEWPOINT_AUTH_ENABLED: 'authEnabled',
  REVIEWPOINT_API_KEY_ENABLED: 'apiKeyEnabled',
  REVIEWPOINT_ENVIRONMENT: 'environment',
  REVIEWPOINT_LOG_LEVEL: 'logLevel',
  REVIEWPOINT_ALLOWED_ORIGINS: 'allowedOrigins',
  REVIEWPOINT_FEATURES: 'features',
};

/** the variables the settings fields become, each with its field: what the config rules judge */
export function settingsEnv(settings: Settings): Array<{ name: string; value: string; field: keyof Settings }> {
  return Object.entries(SETTING_FIELD).map(([name, field]) => ({ name, value: SETTINGS_ENV[name](settings), field }));
}

/** the database URL, postgresql+asyncpg://user:password@host:port/db (the port explicit) */
export const DB_URL_ENV = 'REVIEWPOINT_DB_URL';

/** the secret variables, in the order they are written, each with the key of the Secret it reads */
const SECRET_ENV: ReadonlyArray<readonly [string, SecretKey]> = [
  [DB_URL_ENV, 'dbUrlKey'],
  ['REVIEWPOINT_JWT_SECRET_KEY', 'jwtSecretKey'],
  // legacy name that startup still requires: same secret as the key above
  ['REVIEWPOINT_JWT_SECRET', 'jwtSecretKey'],
  ['REVIEWPOINT_API_KEY', 'apiKeyKey'],
];

/** every variable the manifests set themselves, by the name the backend reads, with the field that sets it */
const MANAGED_ENV: ReadonlyMap<string, string> = new Map([
  ...Object.keys(SETTINGS_ENV).map(
    (name) =>
      [
        settingName(name),
        SETTING_FIELD[name] ? `settings.${SETTING_FIELD[name]}` : 'none (the manifests fix it)',
      ] as const,
  ),
  ...SECRET_ENV.map(([name, key]) => [settingName(name), `the Secret's key, secrets.${key}`] as const),
]);

/** the config field that sets a variable the manifests manage, for an error's "allowed" */
export function managedEnvField(name: string): string | undefined {
  return MANAGED_ENV.get(settingName(name));
}

/** ConfigMap data: every non-secret REVIEWPOINT_* setting, sorted so the hash is stable */
export function configMapData(config: EnvironmentConfig): Record<string, string> {
  const s = config.settings;
  const data: Record<string, string> = {
    ...Object.fromEntries(Object.entries(SETTINGS_ENV).map(([name, value]) => [name, value(s)])),
    ...s.extraEnv,
  };
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => byCodeUnit(a, b)));
}

/** secrets by secretKeyRef: the Secret's data never enters the manifests */
export function secretEnv(config: EnvironmentConfig): EnvVar[] {
  const { name } = config.secrets;
  return SECRET_ENV.filter(([envName]) => envName !== 'REVIEWPOINT_API_KEY' || config.settings.apiKeyEnabled).map(
    ([envName, key]) => ({ name: envName, valueFrom: { secretKeyRef: { name, key: config.secrets[key] } } }),
  );
}
