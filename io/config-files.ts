/**
 * Reading the per-environment config files: `config/<env>.yaml`, one per environment.
 * The only place config is read from disk; parsing and validation live in lib/config/.
 */
import fs = require('node:fs');
import path = require('node:path');
import { ConfigError, isEnvironmentName, parseEnvironmentConfig, type EnvironmentConfig } from '../lib/config';

const SUFFIX = '.yaml';

/** the file of an environment, as the user knows it */
export function configFile(configDir: string, env: string): string {
  return path.join(configDir, env + SUFFIX);
}

/** the environments that have a config file, sorted */
export function listEnvironments(configDir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(configDir);
  } catch {
    throw new Error(
      `config folder ${configDir} not found; allowed: a folder with one <environment>.yaml per environment`,
    );
  }
  // a .yml file would otherwise be an environment that silently never deploys
  const yml = entries.filter((f) => f.endsWith('.yml')).sort();
  if (yml.length > 0) {
    const renames = yml.map(
      (f) => `${path.join(configDir, f)} -> ${path.join(configDir, f.slice(0, -'.yml'.length) + SUFFIX)}`,
    );
    throw new Error(
      `config files must end in ${SUFFIX}: rename ${renames.join(', ')}; allowed: one <environment>${SUFFIX} per environment`,
    );
  }
  const names = entries
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
  for (const name of names) {
    if (!isEnvironmentName(name)) {
      throw new Error(
        `unknown environment name "${name}" (file ${configFile(configDir, name)}); allowed: a DNS-1123 label such as "staging" (lowercase letters, digits, "-"), since it names the output folder`,
      );
    }
  }
  if (names.length === 0) {
    throw new Error(
      `no environment files in ${configDir}; allowed: one <environment>.yaml per environment, e.g. ${path.join(configDir, 'dev.yaml')}`,
    );
  }
  return names;
}

/** pick environments by name; every name must have a file */
export function selectEnvironments(
  configDir: string,
  known: readonly string[],
  wanted: readonly string[] | undefined,
): string[] {
  if (!wanted) return [...known];
  for (const name of wanted) {
    if (!isEnvironmentName(name)) {
      throw new Error(`unknown environment name "${name}"; allowed: one of ${known.join(', ')}`);
    }
    if (!known.includes(name)) {
      throw new Error(
        `unknown environment "${name}": missing environment file ${configFile(configDir, name)}; allowed: one of ${known.join(', ')}, or add that file`,
      );
    }
  }
  return [...new Set(wanted)];
}

/** read and validate one environment's file */
export function loadEnvironment(configDir: string, name: string): EnvironmentConfig {
  const file = configFile(configDir, name);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(
      { environment: name, file },
      '',
      `missing environment file ${file}; allowed: a readable YAML file`,
    );
  }
  return parseEnvironmentConfig(text, { environment: name, file });
}
