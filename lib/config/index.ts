/**
 * Per-environment configuration: the schema (schema.ts, formats.ts), the rules that span fields
 * (rules.ts) and the errors they report (errors.ts, messages.ts).
 *
 * Config is data. It is parsed and validated once, at the edge (main.ts hands in the file's
 * text), and everything below receives an already-valid, fully defaulted `EnvironmentConfig`.
 * Nothing here touches the filesystem or the process environment.
 */
import { DNS_LABEL } from './formats';
import { readConfigData } from './input';
import { describe, issuesToErrors } from './messages';
import { ConfigError, ConfigErrors, type ConfigSource } from './errors';
import { configSchema, defaultAppCommand, type EnvironmentConfig } from './schema';
import { trustedProxies } from './proxies';
import { checkRules } from './rules';

export { ConfigError, ConfigErrors, type ConfigSource } from './errors';
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

/**
 * Parse and validate one environment's YAML text.
 * @throws ConfigError naming the environment, the file, the field, the value and what is allowed
 */
export function parseEnvironmentConfig(text: string, source: ConfigSource): EnvironmentConfig {
  const raw = readConfigData(text, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      source,
      '',
      `got ${describe(raw)}; allowed: a mapping of settings (see README, "Configuration")`,
    );
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigErrors(issuesToErrors(result.error.issues, raw, source));
  const data = result.data;
  const inherited = inheritedKeyErrors(data, [], source);
  if (inherited.length > 0) throw new ConfigErrors(inherited);
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
    name: source.environment,
  };
  const errors = checkRules(config, source);
  if (errors.length > 0) throw new ConfigErrors(errors);
  return config;
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
