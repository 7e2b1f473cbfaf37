/**
 * Reading the per-environment config files: `config/<env>.yaml`, one per environment, each over
 * the optional base file `config/_base.yaml` (what every environment shares; an underscore never
 * starts an environment's name). The only place config is read from disk; parsing, merging and
 * validation live in lib/config/.
 *
 * Every config file is a regular file in the config folder, checked with lstat before it is
 * opened: a symbolic link (even to a file inside config/) could show another file's content in
 * an error and so in a CI log, a FIFO would hang the run, a device would never end. The folder
 * holds nothing else but the base file and the editor schema: any other entry is refused, so no
 * file meant as config (`prod.yml`, `prod.YAML`, `prod.json`) is silently ignored.
 */
import fs = require('node:fs');
import path = require('node:path');
import {
  BASE_FILE,
  ConfigError,
  isEnvironmentName,
  MAX_CONFIG_BYTES,
  readEnvironmentConfig,
  type ConfigSource,
  type ConfigText,
  type EnvironmentConfig,
  type LoadedConfig,
} from '../lib/config';
import { CONFIG_SCHEMA_FILE } from '../lib/config-schema';
import { byCodeUnit } from '../lib/determinism';

const SUFFIX = '.yaml';
// what editors and tools leave next to a file: dev.yaml~, dev.yaml.bak, .dev.yaml.swp, #dev.yaml#
const LEFTOVER = /~$|\.(bak|orig|rej|swp|swo|swx|tmp|old)$|^\.#|^#.*#$/i;
// a config file under another suffix or case: dev.yml, dev.YAML, dev.json
const OTHER_SUFFIX = /^(.+)\.(ya?ml|json)$/i;

/** the base file every environment's file is merged over, as the user knows it */
export function baseFile(configDir: string): string {
  return path.join(configDir, BASE_FILE);
}

/** the file of an environment, as the user knows it */
export function configFile(configDir: string, env: string): string {
  return path.join(configDir, env + SUFFIX);
}

/** the environments that have a config file, sorted */
export function listEnvironments(configDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(configDir, { withFileTypes: true });
  } catch {
    throw new Error(
      `config folder ${configDir} not found; allowed: a folder with one <environment>.yaml per environment`,
    );
  }
  const names: string[] = [];
  const refused: string[] = [];
  for (const entry of [...entries].sort((a, b) => byCodeUnit(a.name, b.name))) {
    const file = path.join(configDir, entry.name);
    if (entry.name === CONFIG_SCHEMA_FILE || entry.name === BASE_FILE) continue;
    if (entry.name.endsWith(SUFFIX) && !LEFTOVER.test(entry.name)) {
      names.push(entry.name.slice(0, -SUFFIX.length));
      continue;
    }
    const other = OTHER_SUFFIX.exec(entry.name);
    const target = other && !LEFTOVER.test(entry.name) ? path.join(configDir, other[1] + SUFFIX) : undefined;
    if (target && !entries.some((e) => e.name === path.basename(target))) refused.push(`rename ${file} -> ${target}`);
    else if (target) refused.push(`remove ${file} (or merge it into ${target})`);
    else if (LEFTOVER.test(entry.name)) refused.push(`remove ${file} (an editor's backup, swap or lock file)`);
    else refused.push(`remove ${file} (or move it out of ${configDir})`);
  }
  // a file the synth skipped would be an environment that silently never deploys
  if (refused.length > 0) {
    throw new Error(
      `config files must end in ${SUFFIX}: ${refused.join(', ')}; allowed: one <environment>${SUFFIX} per environment, ${BASE_FILE} and ${CONFIG_SCHEMA_FILE}`,
    );
  }
  for (const name of names) {
    if (!isEnvironmentName(name)) {
      throw new Error(
        `unknown environment name "${name}" (file ${configFile(configDir, name)}); allowed: a DNS-1123 label such as "staging" (lowercase letters, digits, "-"), since it names the output folder`,
      );
    }
    regularFileSize(configFile(configDir, name), { environment: name, file: configFile(configDir, name) });
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

/**
 * An environment's file, as text: a regular file (lstat, never following a link) of at most
 * MAX_CONFIG_BYTES of UTF-8.
 * @throws ConfigError naming the file when it is missing, not a regular file, too large or not UTF-8
 */
export function readConfigText(configDir: string, name: string): string {
  const file = configFile(configDir, name);
  const source = { environment: name, file };
  if (!isEnvironmentName(name))
    throw new ConfigError(source, '', `unknown environment name "${name}"; allowed: a DNS-1123 label`);
  return readText(file, source);
}

/**
 * The base file as an environment reads it, read as strictly as an environment's file; none
 * when there is no such entry (the base is optional).
 * @throws ConfigError naming the base file and the environment when it is there but refused
 */
export function readBaseText(configDir: string, environment: string): ConfigText | undefined {
  const file = baseFile(configDir);
  try {
    fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  return { text: readText(file, { environment, file }), file };
}

/** read and validate one environment's file, over the base file */
export function loadEnvironment(configDir: string, name: string): EnvironmentConfig {
  return loadEnvironmentWithWarnings(configDir, name).config;
}

/**
 * Read and validate one environment's file over the base file, with the warnings it raises.
 * `text`: the environment's file as it is about to be written (set-image), instead of as it is.
 */
export function loadEnvironmentWithWarnings(configDir: string, name: string, text?: string): LoadedConfig {
  const own = { text: text ?? readConfigText(configDir, name), file: configFile(configDir, name) };
  return readEnvironmentConfig(name, own, readBaseText(configDir, name));
}

/** a config file, as text: a regular file of at most MAX_CONFIG_BYTES of UTF-8 */
function readText(file: string, source: ConfigSource): string {
  const size = regularFileSize(file, source);
  // O_NOFOLLOW and O_NONBLOCK: should the file be swapped for a link or a FIFO after lstat, the
  // open fails or returns at once instead of following it or hanging
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  let bytes: Buffer;
  try {
    const fd = fs.openSync(file, flags);
    try {
      if (!fs.fstatSync(fd).isFile())
        throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
      bytes = Buffer.alloc(size + 1);
      bytes = bytes.subarray(0, fs.readSync(fd, bytes, 0, bytes.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    // ELOOP: it became a link after lstat
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(
      source,
      '',
      `${file} cannot be read (${code}); allowed: a readable regular file, unchanged during the run`,
    );
  }
  if (bytes.length > size)
    throw new ConfigError(
      source,
      '',
      `${file} grew while it was read; allowed: a regular file, unchanged during the run`,
    );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(source, '', `${file} is not UTF-8 text; allowed: a YAML file saved as UTF-8`);
  }
}

/** the size of a config file, which must be a regular file no larger than MAX_CONFIG_BYTES */
function regularFileSize(file: string, source: ConfigSource): number {
  const configDir = path.dirname(file);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    throw new ConfigError(
      source,
      '',
      `missing ${path.basename(file) === BASE_FILE ? 'base' : 'environment'} file ${file}; allowed: a readable YAML file`,
    );
  }
  if (!stat.isFile()) {
    throw new ConfigError(
      source,
      '',
      `${file} is ${fileKind(stat)}; allowed: a regular file in ${configDir}${stat.isSymbolicLink() ? ' (a copy, not a link: a link can point anywhere)' : ''}`,
    );
  }
  if (stat.size > MAX_CONFIG_BYTES)
    throw new ConfigError(source, '', `${file} has ${stat.size} bytes; allowed: at most ${MAX_CONFIG_BYTES}`);
  return stat.size;
}

function fileKind(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
