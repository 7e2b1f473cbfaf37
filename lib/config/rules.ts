/**
 * The rules that span fields, each broken one reported with the fields it involves.
 */
import { annotationFindings } from '../annotation-policy';
import { isManagedEnv, settingsEnv } from '../app-env';
import { judgeSetting, sameSettingGroups } from '../backend-settings';
import { cidrProblem, isPrivate, parseCidr, PRIVATE_RANGES } from '../cidr';
import { reservedNamespace, reservedPriorityClass } from '../cluster-reserved';
import { quantityValue } from '../quantity';
import { credentialIn, looksLikeSecretName } from '../secret-names';
import { ConfigError, type ConfigSource } from './errors';
import type { EnvironmentConfig, PeerConfig } from './schema';

/** DB connections one pod may open: SQLAlchemy pool size + overflow (see the backend's config). */
export function connectionsPerPod(environment: string): number {
  return environment === 'prod' ? 10 + 20 : 5 + 10;
}

/** every rule that spans fields, each broken one reported */
export function checkRules(c: EnvironmentConfig, src: ConfigSource): ConfigError[] {
  const errors: ConfigError[] = [];
  const fail = (field: string, problem: string): void => {
    errors.push(new ConfigError(src, field, problem));
  };

  for (const [key, image] of [
    ['app.image', c.app.image],
    ['migration.image', c.migration.image],
  ] as const) {
    if (!image) continue;
    if (!image.tag && !image.digest) {
      fail(
        key,
        `got ${image.repository} with neither tag nor digest; allowed: a pinned tag (not "latest") and/or a digest sha256:...`,
      );
    }
    if (c.production && !image.digest) {
      fail(
        `${key}.digest`,
        `missing in a production environment (tag ${JSON.stringify(image.tag)}); allowed: a digest sha256:<64 hex>, so what runs is exactly what was tested`,
      );
    }
  }
  if (c.migration.strategy !== 'none' && !c.migration.image) {
    fail(
      'migration.image',
      `missing for strategy "${c.migration.strategy}"; allowed: the shell image's repository and tag/digest (it carries alembic), or strategy "none"`,
    );
  }

  const scaling = c.app.autoscaling;
  if (scaling && c.app.replicas !== undefined) {
    fail(
      'app.replicas',
      `got ${c.app.replicas} together with app.autoscaling; allowed: one of them (the HorizontalPodAutoscaler owns the replica count)`,
    );
  }
  if (scaling && scaling.minReplicas > scaling.maxReplicas) {
    fail(
      'app.autoscaling.minReplicas',
      `got ${scaling.minReplicas}, above maxReplicas ${scaling.maxReplicas}; allowed: minReplicas <= maxReplicas`,
    );
  }
  const minPods = scaling?.minReplicas ?? c.app.replicas ?? 1;
  const maxPods = scaling?.maxReplicas ?? c.app.replicas ?? 1;

  const drain = drainSeconds([...c.app.command, ...c.app.args]);
  if (c.app.terminationGracePeriodSeconds <= c.app.preStopSeconds + (drain ?? 0)) {
    fail(
      'app.terminationGracePeriodSeconds',
      `got ${c.app.terminationGracePeriodSeconds}, not above app.preStopSeconds ${c.app.preStopSeconds}${drain === undefined ? '' : ` + ${drain} (--timeout-graceful-shutdown in the command)`}: the pod would be killed mid-request; allowed: more than ${c.app.preStopSeconds + (drain ?? 0)}`,
    );
  }

  if (c.app.rollingUpdate.maxSurge === 0 && c.app.rollingUpdate.maxUnavailable === 0) {
    fail(
      'app.rollingUpdate',
      'got maxSurge 0 and maxUnavailable 0; allowed: at least one above 0, or a rollout can never progress',
    );
  }

  const pdb = c.app.podDisruptionBudget;
  if (pdb) {
    const exactlyOne = (pdb.minAvailable === undefined) !== (pdb.maxUnavailable === undefined);
    if (!exactlyOne)
      fail(
        'app.podDisruptionBudget',
        `got ${JSON.stringify(pdb)}; allowed: exactly one of minAvailable or maxUnavailable`,
      );
    const blocked =
      exactlyOne &&
      (pdb.minAvailable !== undefined
        ? podsFrom(pdb.minAvailable, minPods, 'up') >= minPods
        : podsFrom(pdb.maxUnavailable!, minPods, 'down') === 0);
    if (blocked) {
      const [field, value] =
        pdb.minAvailable !== undefined ? ['minAvailable', pdb.minAvailable] : ['maxUnavailable', pdb.maxUnavailable];
      fail(
        `app.podDisruptionBudget.${field}`,
        `got ${JSON.stringify(value)} with ${minPods} replica(s) at the minimum: no pod could ever be evicted, so node drains would hang; allowed: a budget that leaves at least one pod evictable (e.g. minAvailable ${Math.max(minPods - 1, 0)})`,
      );
    }
  }

  if (c.production) {
    if (minPods < 2) {
      fail(
        scaling ? 'app.autoscaling.minReplicas' : 'app.replicas',
        `got ${minPods} in a production environment; allowed: 2 or more, so a single pod's loss is not an outage`,
      );
    }
    if (!pdb)
      fail(
        'app.podDisruptionBudget',
        'missing in a production environment; allowed: a PodDisruptionBudget such as { minAvailable: 1 }',
      );
  }

  if (c.migration.strategy === 'initContainer' && maxPods > 1 && !c.migration.allowConcurrentInitContainers) {
    fail(
      'migration.strategy',
      `got "initContainer" with up to ${maxPods} replicas: alembic takes no lock, so concurrent pods would race on the schema; allowed: strategy "job", one replica, or migration.allowConcurrentInitContainers: true if your migrations lock`,
    );
  }

  const perPod = connectionsPerPod(c.settings.environment);
  const budget = (maxPods + c.app.rollingUpdate.maxSurge) * perPod;
  if (budget > c.database.maxConnections) {
    fail(
      'database.maxConnections',
      `got ${c.database.maxConnections}, but (${maxPods} max replicas + ${c.app.rollingUpdate.maxSurge} surge) x ${perPod} connections per pod (settings.environment "${c.settings.environment}") = ${budget}; allowed: maxConnections >= ${budget}, or fewer replicas`,
    );
  }

  const reserved = reservedNamespace(c.namespace, [c.delivery.argocd.namespace, c.delivery.flux.namespace]);
  if (reserved) {
    fail(
      'namespace',
      `got ${JSON.stringify(c.namespace)}: ${reserved}, and the output puts a default-deny NetworkPolicy and Pod Security "restricted" on its namespace; allowed: a namespace of the environment's own, e.g. reviewpoint-${c.name}`,
    );
  }
  const priority = c.app.priorityClassName && reservedPriorityClass(c.app.priorityClassName);
  if (priority)
    fail(
      'app.priorityClassName',
      `got ${JSON.stringify(c.app.priorityClassName)}: ${priority}; allowed: a class the cluster's admins created for applications`,
    );

  const peer = (p: PeerConfig, field: string, admits: boolean) => checkPeer(p, field, admits && c.production, fail);
  peer(c.database.egress, 'database.egress', false);
  if (c.allowIngressFrom) peer(c.allowIngressFrom, 'allowIngressFrom', true);
  else if (!c.route)
    fail(
      'allowIngressFrom',
      'missing; allowed: { cidr } or { namespace, podLabels } of the ingress controller, or a route section (then the gateway is admitted)',
    );
  if (c.ingress && !c.allowIngressFrom)
    fail(
      'allowIngressFrom',
      'missing next to ingress: nothing would admit the ingress controller to port 8000; allowed: { namespace, podLabels } of the ingress controller',
    );
  if (c.route?.allowFrom) peer(c.route.allowFrom, 'route.allowFrom', true);
  const external = c.secrets.externalSecret;
  if (external) {
    const needed = secretKeys(c);
    for (const key of Object.keys(external.properties)) {
      if (!needed.includes(key))
        fail(
          `secrets.externalSecret.properties.${key}`,
          `got a property for ${JSON.stringify(key)}, which the pods do not read; allowed: ${needed.map((k) => JSON.stringify(k)).join(', ')} (secrets.dbUrlKey, jwtSecretKey, apiKeyKey)`,
        );
    }
  }
  const monitor = c.serviceMonitor;
  if (monitor) {
    peer(monitor.allowFrom, 'serviceMonitor.allowFrom', true);
    if (durationMs(monitor.scrapeTimeout) > durationMs(monitor.interval)) {
      fail(
        'serviceMonitor.scrapeTimeout',
        `got ${JSON.stringify(monitor.scrapeTimeout)}, longer than interval ${JSON.stringify(monitor.interval)}; allowed: at most the interval (Prometheus refuses the scrape configuration otherwise)`,
      );
    }
  }

  for (const [name, value] of Object.entries(c.settings.extraEnv)) {
    const field = `settings.extraEnv.${name}`;
    if (isManagedEnv(name)) {
      fail(
        field,
        `got ${name}, which the manifests set themselves (the backend reads names in any case); allowed: the dedicated field under settings or secrets`,
      );
    }
    if (looksLikeSecretName(name)) {
      fail(
        field,
        `got a literal value for a secret-looking name; allowed: secrets only by reference from the Secret "${c.secrets.name}", never written into manifests`,
      );
    }
    const finding = judgeSetting(name, value, c.production);
    if (finding)
      fail(field, `got ${JSON.stringify(value)}${finding.where}: ${finding.problem}; allowed: ${finding.allowed}`);
  }
  for (const names of sameSettingGroups(Object.keys(c.settings.extraEnv))) {
    fail(
      `settings.extraEnv.${names[1]}`,
      `got ${names.join(' and ')}: one setting to the backend, which reads names in any case, so only the last one in the environment takes effect; allowed: one spelling`,
    );
  }
  for (const f of annotationFindings(c.ingress?.annotations ?? {})) {
    if (f.key === undefined) fail('ingress.annotations', `got ${f.problem}; allowed: ${f.allowed}`);
    else fail(`ingress.annotations.${f.key}`, `got ${JSON.stringify(f.key)}: ${f.problem}; allowed: ${f.allowed}`);
  }
  for (const [field, credential] of credentials(c, '')) {
    fail(
      field,
      `got a credential in plain text (${credential}); allowed: none in the config: the pods read secrets by reference from the Secret "${c.secrets.name}" ($(VAR) in a command or args), the engines read theirs from their own secrets`,
    );
  }
  // the settings fields, judged as the variables the backend will read (auth, test mode, debug logging)
  for (const { name, value, field } of settingsEnv(c.settings)) {
    const finding = judgeSetting(name, value, c.production);
    if (finding)
      fail(
        `settings.${field}`,
        `got ${JSON.stringify(c.settings[field])}${finding.where}: ${finding.problem}; allowed: ${finding.allowed}`,
      );
  }

  // the API server refuses a pod whose request is above its limit
  for (const [at, r] of [
    ['app.resources', c.app.resources],
    ['migration.resources', c.migration.resources],
  ] as const) {
    for (const [request, limit] of [
      ['cpuRequest', 'cpuLimit'],
      ['memoryRequest', 'memoryLimit'],
    ] as const) {
      const [req, lim] = [r[request], r[limit]];
      if (lim !== undefined && quantityValue(req) > quantityValue(lim)) {
        fail(
          `${at}.${request}`,
          `got ${JSON.stringify(req)}, above ${limit} ${JSON.stringify(lim)}; allowed: at most the limit (the API server refuses the pod)`,
        );
      }
    }
  }
  return errors;
}

/** the keys of the Secret the pods read: the API key only while the backend checks one */
export function secretKeys(c: EnvironmentConfig): string[] {
  const { dbUrlKey, jwtSecretKey, apiKeyKey } = c.secrets;
  return [...new Set([dbUrlKey, jwtSecretKey, ...(c.settings.apiKeyEnabled ? [apiKeyKey] : [])])];
}

/** a Prometheus duration (already validated) in milliseconds */
function durationMs(duration: string): number {
  const unit: Record<string, number> = { y: 31536e6, w: 6048e5, d: 864e5, h: 36e5, m: 6e4, s: 1e3, ms: 1 };
  return [...duration.matchAll(/(\d+)(ms|[ywdhms])/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

/** uvicorn's --timeout-graceful-shutdown in a command line, if it is set there */
function drainSeconds(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--timeout-graceful-shutdown') continue;
    const value = Number(inline ?? argv[i + 1]);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

/**
 * Every credential in the config's values, with its field: each string, and each list of strings
 * read as one command line (a flag and its value may be two items). Annotations have their own policy.
 */
function credentials(value: unknown, field: string): Array<[string, string]> {
  if (typeof value === 'string') {
    const found = credentialIn(value);
    return found ? [[field, found]] : [];
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    const found = credentialIn(...value);
    return found ? [[field, found]] : [];
  }
  if (value === null || typeof value !== 'object' || field === 'ingress.annotations') return [];
  return Object.entries(value).flatMap(([k, v]) => credentials(v, field ? `${field}.${k}` : k));
}

function checkPeer(
  peer: PeerConfig,
  field: string,
  productionIngress: boolean,
  fail: (f: string, p: string) => void,
): void {
  if (peer.cidr !== undefined) {
    const problem = cidrProblem(peer.cidr);
    const range = parseCidr(peer.cidr);
    if (problem) fail(`${field}.cidr`, `got ${JSON.stringify(peer.cidr)}: ${problem}`);
    else if (productionIngress && range && !isPrivate(range)) {
      fail(
        `${field}.cidr`,
        `got ${JSON.stringify(peer.cidr)} in a production environment: it reaches outside the private ranges, so addresses outside the cluster's networks reach port 8000 past the ingress controller; allowed: a range inside ${PRIVATE_RANGES.join(', ')}`,
      );
    }
  }
  const hasCidr = peer.cidr !== undefined;
  const hasPods = peer.namespace !== undefined || peer.podLabels !== undefined;
  if (hasCidr === hasPods) {
    fail(field, `got ${JSON.stringify(peer)}; allowed: either { cidr } or { namespace, podLabels }`);
  }
  if (peer.podLabels !== undefined && peer.namespace === undefined) {
    fail(`${field}.namespace`, 'missing next to podLabels; allowed: the namespace those pods run in');
  }
}

/** pods a PodDisruptionBudget value stands for, rounded as the disruption controller does */
function podsFrom(value: number | string, replicas: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const pods = (Number(value.slice(0, -1)) / 100) * replicas;
  return round === 'up' ? Math.ceil(pods) : Math.floor(pods);
}
