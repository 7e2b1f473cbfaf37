/**
 * Reading the per-environment config files: `config/<env>.yaml`, one per environment.
 * The only place config is read from disk; parsing and validation live in lib/config.ts.
 */
import fs = require('node:fs');
import path = require('node:path');
import { ConfigError, isEnvironmentName, parseEnvironmentConfig, type EnvironmentConfig } from '../lib/config';

const SUFFIX = '.yaml';

/** the environments that have a config file, sorted */
export function listEnvironments(configDir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(configDir);
  } catch {
    throw new Error(`config folder ${configDir} not found; allowed: a folder with one <environment>.yaml per environment`);
  }
  const names = entries.filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length)).sort();
  for (const name of names) {
    if (!isEnvironmentName(name)) {
      throw new Error(`unknown environment name "${name}" (file ${path.join(configDir, name + SUFFIX)}); allowed: a DNS-1123 label such as "staging" (lowercase letters, digits, "-"), since it names the output folder`);
    }
  }
  if (names.length === 0) {
    throw new Error(`no environment files in ${configDir}; allowed: one <environment>.yaml per environment, e.g. ${path.join(configDir, 'dev.yaml')}`);
  }
  return names;
}

/** pick environments by name; every name must have a file */
export function selectEnvironments(configDir: string, known: readonly string[], wanted: readonly string[] | undefined): string[] {
  if (!wanted) return [...known];
  for (const name of wanted) {
    if (!isEnvironmentName(name)) {
      throw new Error(`unknown environment name "${name}"; allowed: one of ${known.join(', ')}`);
    }
    if (!known.includes(name)) {
      throw new Error(`unknown environment "${name}": missing environment file ${path.join(configDir, name + SUFFIX)}; allowed: one of ${known.join(', ')}, or add that file`);
    }
  }
  return [...new Set(wanted)];
}

/** read and validate one environment's file */
export function loadEnvironment(configDir: string, name: string): EnvironmentConfig {
  const file = path.join(configDir, name + SUFFIX);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError({ environment: name, file }, '', `missing environment file ${file}; allowed: a readable YAML file`);
  }
  return parseEnvironmentConfig(text, { environment: name, file });
}
