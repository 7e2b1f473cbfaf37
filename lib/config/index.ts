/**
 * Per-environment configuration: the schema (schema.ts, formats.ts), the rules that span fields
 * (rules.ts) and the errors they report (errors.ts, messages.ts).
 *
 * Config is data. It is parsed and validated once, at the edge (main.ts hands in the file's
 * text), and everything below receives an already-valid, fully defaulted `EnvironmentConfig`.
 * Nothing here touches the filesystem or the process environment.
 */
import { BASE_FILE, mergeOverBase } from './base';
import { DNS_LABEL } from './formats';
import { readConfigData } from './input';
import { describe, issuesToErrors } from './messages';
import { ConfigError, ConfigErrors, ConfigWarning, type ConfigSource } from './errors';
import { configSchema, defaultAppCommand, type EnvironmentConfig } from './schema';
import { trustedProxies } from './proxies';
import { edgeBlockedPaths } from '../app/labels';
import { INGRESS_CLASS_ANNOTATION, ingressClassOf } from '../constructs/annotations';
import { checkRules } from './rules';

export { ConfigError, ConfigErrors, ConfigWarning, type ConfigSource } from './errors';
export { BASE_FILE } from './base';
export { MAX_CONFIG_BYTES } from './input';
export {
  APP_PYTHON,
  configSchema,
  type AutoscalingConfig,
  type DeliveryConfig,
  type EgressRuleConfig,
  type EnvironmentConfig,
  type ExternalSecretConfig,
  type ImageConfig,
  type IngressConfig,
  type PeerConfig,
  type ResourcesConfig,
  type RouteConfig,
  type ServiceMonitorConfig,
  type WorkerConfig,
  type CronJobConfig,
} from './schema';
export { connectionsPerPod, secretKeys } from './rules';
export { dnsPeers } from './peers';

/** Environment names: DNS labels, since they become folder names and label values. */
export function isEnvironmentName(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/** a config file's text, and its path as the user knows it */
export interface ConfigText {
  readonly text: string;
  readonly file: string;
}

/** a validated environment, and what it holds that works but is likely wrong */
export interface LoadedConfig {
  readonly config: EnvironmentConfig;
  /** for the command line to print; the run goes on */
  readonly warnings: readonly ConfigWarning[];
}

/**
 * Parse and validate one environment's YAML text.
 * @throws ConfigError naming the environment, the file, the field, the value and what is allowed
 */
export function parseEnvironmentConfig(text: string, source: ConfigSource): EnvironmentConfig {
  return readEnvironmentConfig(source.environment, { text, file: source.file }).config;
}

/**
 * Parse one environment's file over the base file (lib/config/base.ts), then validate the
 * merged config. Each error names the file its field's value came from.
 * @throws ConfigErrors (or a ConfigError) naming the environment, the file, the field, the value
 * and what is allowed
 */
export function readEnvironmentConfig(environment: string, own: ConfigText, base?: ConfigText): LoadedConfig {
  const source: ConfigSource = { environment, file: own.file };
  const errors: ConfigError[] = [];
  const read = (file: ConfigText): Record<string, unknown> | undefined => {
    try {
      return readMapping(file.text, { environment, file: file.file });
    } catch (e) {
      if (e instanceof ConfigErrors) errors.push(...e.errors);
      else if (e instanceof ConfigError) errors.push(e);
      else throw e;
      return undefined;
    }
  };
  const baseData = base && read(base);
  const ownData = read(own);
  if (errors.length > 0 || !ownData) throw new ConfigErrors(errors);
  const merged = base && baseData ? mergeOverBase(baseData, ownData, { base: base.file, env: own.file }) : undefined;
  const raw = merged?.data ?? ownData;
  // every error is made naming the environment's file, then named after its field's file
  const located = (list: readonly ConfigError[]): ConfigErrors =>
    new ConfigErrors(
      merged
        ? list.map((e) => new ConfigError({ environment, file: merged.fileOf(e.field) }, e.field, e.problem))
        : list,
    );
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw located(issuesToErrors(result.error.issues, raw, source));
  const data = result.data;
  const inherited = inheritedKeyErrors(data, [], source);
  if (inherited.length > 0) throw located(inherited);
  // under an HPA a budget must bound evictions whatever the replica count: maxUnavailable does,
  // minAvailable: 1 would let a drain take all pods but one at once
  const podDisruptionBudget =
    data.app.podDisruptionBudget ?? (data.app.autoscaling ? { maxUnavailable: 1 } : undefined);
  // the same default for each worker under an autoscaler
  const workers = Object.fromEntries(
    Object.entries(data.workers).map(([name, w]) => [
      name,
      { ...w, podDisruptionBudget: w.podDisruptionBudget ?? (w.autoscaling ? { maxUnavailable: 1 } : undefined) },
    ]),
  );
  const config: EnvironmentConfig = {
    ...data,
    // a production environment without proxies is refused by a rule: the command is never used
    app: {
      ...data.app,
      command: data.app.command ?? defaultAppCommand(trustedProxies(data) ?? []),
      podDisruptionBudget,
    },
    workers,
    name: environment,
  };
  const ruleErrors = checkRules(config, source);
  const written = (raw as { delivery?: { repoURL?: unknown } }).delivery?.repoURL !== undefined;
  const placeholder = placeholderRepository(config, source, written);
  if (placeholder && config.production) ruleErrors.push(placeholder);
  if (ruleErrors.length > 0) throw located(ruleErrors);
  const edge = emptyBackendFallthrough(config, source);
  const warnings = located([
    ...(placeholder && !config.production ? [placeholder] : []),
    ...(edge ? [edge] : []),
  ]).errors;
  return {
    config,
    warnings: warnings.map((w) => new ConfigWarning(w.source, w.field, w.problem)),
  };
}

/**
 * The Ingress keeps the metrics from the internet by sending their path to a Service port with no
 * endpoints. Traefik drops such a path unless its Kubernetes Ingress provider sets
 * allowEmptyServices, and the request then matches the next path, the app's `/`: a warning, since
 * the provider's setting is not in the config.
 */
function emptyBackendFallthrough(c: EnvironmentConfig, source: ConfigSource): ConfigError | undefined {
  const className = ingressClassOf(c.ingress?.className, c.ingress?.annotations);
  if (!className || !/traefik/i.test(className) || edgeBlockedPaths(c).length === 0) return undefined;
  return new ConfigError(
    source,
    c.ingress?.className ? 'ingress.className' : `ingress.annotations.${INGRESS_CLASS_ANNOTATION}`,
    `got ${JSON.stringify(className)}: Traefik drops an Ingress path whose Service has no endpoints unless its Kubernetes Ingress provider sets allowEmptyServices, and ${edgeBlockedPaths(c).join(', ')} then reaches the app through "/"; allowed: a provider with allowEmptyServices: true (the path answers 503), or metrics.public: true to serve the metrics at the edge knowingly`,
  );
}

/** the file's one document, which must be a mapping */
function readMapping(text: string, source: ConfigSource): Record<string, unknown> {
  const raw = readConfigData(text, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      source,
      '',
      `got ${describe(raw)}; allowed: a mapping of settings (see README, "Configuration")`,
    );
  }
  return raw as Record<string, unknown>;
}

/**
 * Hosts kept for documentation (RFC 2606): a repository there is a placeholder, and so is the
 * built-in default of delivery.repoURL, which is one of them.
 */
const PLACEHOLDER_HOST = /(^|\.)(example\.(com|net|org)|example|invalid)$/;

/** the host of a Git URL: https://host/..., ssh://user@host:port/..., user@host:path */
function gitHost(url: string): string | undefined {
  return /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([^:/[\]]+)/i.exec(url)?.[1]?.toLowerCase();
}

/** delivery.repoURL at a placeholder: a warning, and an error in production */
function placeholderRepository(c: EnvironmentConfig, source: ConfigSource, written: boolean): ConfigError | undefined {
  const url = c.delivery.repoURL;
  const host = gitHost(url);
  if (!host || !PLACEHOLDER_HOST.test(host)) return undefined;
  const what = written ? `a placeholder host (${host})` : 'the built-in placeholder (no file sets it)';
  const effect = c.production
    ? 'a production environment must name the repository its Argo CD Application and Flux GitRepository read'
    : 'the delivery objects in its output point at no real repository';
  return new ConfigError(
    source,
    'delivery.repoURL',
    `got ${JSON.stringify(url)}, ${what}: ${effect}; allowed: the Git repository dist/ is committed to, e.g. once for every environment in the base file (${BASE_FILE} in the config folder)`,
  );
}

/**
 * Keys of free-form mappings (labels, annotations, variables) that every JavaScript object
 * inherits ("constructor", "toString", ...): cdk8s reads a mapping's "constructor" to tell plain
 * data from objects, and fails to render one that has it as a key. Fixed fields never get here:
 * the schema refuses an unknown key first.
 */
function inheritedKeyErrors(value: unknown, path: readonly string[], source: ConfigSource): ConfigError[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = Array.isArray(value) ? [...path.slice(0, -1), `${path.at(-1) ?? ''}[${key}]`] : [...path, key];
    if (!Array.isArray(value) && key in Object.prototype) {
      return [
        new ConfigError(
          source,
          at.join('.'),
          `got key ${JSON.stringify(key)}, a name every JavaScript object inherits, which the renderer cannot hold as a key; allowed: any other key`,
        ),
      ];
    }
    return inheritedKeyErrors(child, at, source);
  });
}
