/**
 * Rules across environments: each one owns its namespace and its host names (Ingress or route). Two environments
 * writing into one namespace would overwrite each other's objects on every sync (staging over
 * production), and two claiming one host would split its traffic.
 */
import { ConfigError, type EnvironmentConfig } from './config';

/** the environments that collide, one error per collision, naming both */
export function identityErrors(configs: readonly EnvironmentConfig[], fileOf: (env: string) => string): ConfigError[] {
  const errors: ConfigError[] = [];
  const claim = (
    owners: Map<string, EnvironmentConfig>,
    key: string,
    c: EnvironmentConfig,
    field: string,
    what: string,
  ) => {
    const other = owners.get(key);
    if (other) {
      errors.push(
        new ConfigError(
          { environment: c.name, file: fileOf(c.name) },
          field,
          `got ${JSON.stringify(key)}, the ${what} of environment "${other.name}" (${fileOf(other.name)}) too; allowed: a ${what} no other environment uses, or each would overwrite the other's objects`,
        ),
      );
    } else owners.set(key, c);
  };
  const namespaces = new Map<string, EnvironmentConfig>();
  const hosts = new Map<string, EnvironmentConfig>();
  for (const c of configs) {
    claim(namespaces, c.namespace, c, 'namespace', 'namespace');
    if (c.ingress?.host) claim(hosts, c.ingress.host, c, 'ingress.host', 'host');
    c.ingress?.hosts?.forEach((h, i) => claim(hosts, h.host, c, `ingress.hosts.${i}.host`, 'host'));
    c.route?.hostnames.forEach((h, i) => claim(hosts, h, c, `route.hostnames[${i}]`, 'host'));
  }
  return errors;
}
