/**
 * The rules that span fields, each broken one reported with the fields it involves.
 */
import { annotationFindings } from '../annotation-policy';
import { settingsEnv } from '../app-env';
import { judgeSetting, sameSettingGroups } from '../backend-settings';
import {
  cidrProblem,
  contains,
  GOOGLE_FRONT_END_RANGES,
  isTrustedIngressSource,
  parseCidr,
  PRIVATE_RANGES,
} from '../cidr';
import { reservedNamespace, reservedPriorityClass } from '../cluster-reserved';
import { CRON_NAME_MAX, cronJobName, WORKER_NAME_MAX, workerName } from '../app/labels';
import { CRON_DEFAULTS } from '../constructs/cron-schedule';
import { acceptedBodySize, maxAppPods, mebibytes, PROXY_BODY_SIZE, TMP_HEADROOM, tmpBytesNeeded } from '../app/uploads';
import { NGINX_SIZE_ALLOWED, nginxSize } from '../nginx-size';
import { quantityValue } from '../quantity';
import { credentialIn } from '../secret-names';
import { gatewayDurationMs } from '../constructs/http-route';
import { INGRESS_CLASS_ANNOTATION } from '../constructs/annotations';
import { blockedPathConflict } from '../constructs/blocked-paths';
import { edgeBlockedPaths } from '../app/labels';
import { ConfigError, type ConfigSource } from './errors';
import { checkPodRules, envProblems } from './pod-rules';
import { FORWARDED_ENV, forwardedAllowIps, trustedEntries, trustedEntryProblem, trustedProxies } from './proxies';
import { defaultAppCommand } from './schema';
import type { CronJobConfig, EnvironmentConfig, PeerConfig, ResourcesConfig, WorkerConfig } from './schema';

/** DB connections one pod may open: SQLAlchemy pool size + overflow (see the backend's config). */
export function connectionsPerPod(environment: string): number {
  return environment === 'prod' ? 10 + 20 : 5 + 10;
}

/**
 * The most connections the database sees at once, and its terms as the error names them.
 *
 * A rollout step of the app runs up to its replicas + maxSurge pods, and the pods that step
 * scaled down are still terminating: the Deployment controller counts the ReplicaSets' replicas,
 * not terminating pods, against maxSurge (KEP-3973), and a terminating pod keeps its pool through
 * the preStop delay and uvicorn's drain. One step scales down at most maxSurge + maxUnavailable
 * old pods: it keeps replicas - maxUnavailable available out of at most replicas + maxSurge. So a
 * step peaks at replicas + maxSurge + (maxSurge + maxUnavailable) pods. This assumes a step's
 * terminating pods are gone before the next step scales down more, i.e. a new pod takes longer to
 * become available than an old one takes to stop (preStop + drain, at most the grace period);
 * were both instant, every old pod could be terminating at once.
 *
 * The migration opens one connection (alembic) of its own: a Job's pod may run beside the pods of
 * a rollout still going (Argo CD does not wait on the last wave before the next sync). An init
 * container's is not added: it exits before its pod's app container opens the pool.
 * PostgreSQL keeps superuser_reserved_connections from application roles.
 */
export function connectionBudget(c: EnvironmentConfig): { terms: string; total: number } {
  const maxPods = c.app.autoscaling?.maxReplicas ?? c.app.replicas ?? 1;
  const perPod = connectionsPerPod(c.settings.environment);
  const { maxSurge, maxUnavailable } = c.app.rollingUpdate;
  const terminating = maxSurge + maxUnavailable;
  const others = connectingWorkloads(c);
  const pods = maxPods + maxSurge + terminating + others.reduce((n, w) => n + w.pods, 0);
  const migration = c.migration.strategy === 'job' ? 1 : 0;
  const reserved = c.database.reservedConnections;
  const more = others.map((w) => ` + ${w.pods} ${w.what}`).join('');
  const terms =
    `(${maxPods} max replicas + ${maxSurge} surge + ${terminating} terminating${more}) x ${perPod} connections per pod (settings.environment "${c.settings.environment}")` +
    (migration ? ` + ${migration} migration Job` : '') +
    ` + ${reserved} reserved (database.reservedConnections)`;
  return { terms, total: pods * perPod + migration + reserved };
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
    ...ownImages(c),
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

  // the wait must end, and say why, before the deadline that would kill it without a word
  const wait = c.migration.waitForDatabaseSeconds;
  const deadline =
    c.migration.strategy === 'job'
      ? (['migration.activeDeadlineSeconds', c.migration.activeDeadlineSeconds] as const)
      : c.migration.strategy === 'initContainer'
        ? (['app.progressDeadlineSeconds', c.app.progressDeadlineSeconds] as const)
        : undefined;
  if (deadline && wait >= deadline[1])
    fail(
      'migration.waitForDatabaseSeconds',
      `got ${wait}, not below ${deadline[0]} ${deadline[1]}: the deadline would stop the wait before it reports an unreachable database, and leave the migration no time; allowed: less than ${deadline[1]}`,
    );

  const budget = connectionBudget(c);
  if (budget.total > c.database.maxConnections) {
    fail(
      'database.maxConnections',
      `got ${c.database.maxConnections}, but ${budget.terms} = ${budget.total}; allowed: maxConnections >= ${budget.total}, or fewer replicas`,
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

  // each peer of a list; a list of one is named as the single peer it was written as. Only what
  // admits callers to port 8000 must stay private in production: egress may go to public services
  const peer = (list: readonly PeerConfig[], field: string, admits: boolean) =>
    list.forEach((p, i) => checkPeer(p, list.length === 1 ? field : `${field}.${i}`, admits && c.production, fail));
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
  if (c.dns.peers) peer(c.dns.peers, 'dns.peers', false);
  c.egress.forEach((rule, i) => peer(rule.to, `egress.${i}.to`, false));
  checkNetworkExposure(c, fail);
  checkBlockedPaths(c, fail);
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

  for (const [name, value] of Object.entries(c.settings.extraEnv))
    for (const problem of envProblems(name, value, c)) fail(`settings.extraEnv.${name}`, problem);
  checkPodRules(c, fail);
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
  const legacyClass = c.ingress?.annotations[INGRESS_CLASS_ANNOTATION];
  if (legacyClass !== undefined && c.ingress?.className !== undefined)
    fail(
      `ingress.annotations.${INGRESS_CLASS_ANNOTATION}`,
      `got ${JSON.stringify(legacyClass)} beside ingress.className ${JSON.stringify(c.ingress.className)}: two classes, and controllers differ in which one they obey; allowed: ingress.className alone`,
    );
  checkSecondWorkloads(c, fail);
  checkUploads(c, fail);
  checkTrustedProxies(c, fail);
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
  ] as const)
    checkRequests(at, r, fail);
  return errors;
}

/** the API server refuses a pod whose request is above its limit */
function checkRequests(at: string, r: ResourcesConfig, fail: (field: string, problem: string) => void): void {
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

/**
 * the keys of the Secret the pods read: the API key only while the backend checks one, and the
 * keys app.env reads from it
 */
export function secretKeys(c: EnvironmentConfig): string[] {
  const { dbUrlKey, jwtSecretKey, apiKeyKey } = c.secrets;
  const fromEnv = c.app.env.flatMap((e) => {
    const ref = e.valueFrom?.secretKeyRef;
    return ref && ref.name === c.secrets.name ? [ref.key] : [];
  });
  return [...new Set([dbUrlKey, jwtSecretKey, ...(c.settings.apiKeyEnabled ? [apiKeyKey] : []), ...fromEnv])];
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
const ANNOTATION_FIELDS = ['ingress.annotations', 'app.podAnnotations', 'app.serviceAccount.annotations'];

function credentials(value: unknown, field: string): Array<[string, string]> {
  if (typeof value === 'string') {
    const found = credentialIn(value);
    return found ? [[field, found]] : [];
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    const found = credentialIn(...value);
    return found ? [[field, found]] : [];
  }
  if (value === null || typeof value !== 'object' || ANNOTATION_FIELDS.includes(field)) return [];
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
    else if (productionIngress && range && !isTrustedIngressSource(range)) {
      fail(
        `${field}.cidr`,
        `got ${JSON.stringify(peer.cidr)} in a production environment: it reaches outside the private ranges, so addresses outside the cluster's networks reach port 8000 past the ingress controller; allowed: a range inside ${PRIVATE_RANGES.join(', ')}, or inside Google's front ends ${GOOGLE_FRONT_END_RANGES.join(', ')} (GKE load balancers)`,
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
  if (peer.except !== undefined) {
    if (peer.cidr === undefined)
      fail(
        `${field}.except`,
        `got ${JSON.stringify(peer.except)} without a cidr; allowed: except only inside { cidr }`,
      );
    else
      peer.except.forEach((e, i) => {
        const [inner, outer] = [parseCidr(e), parseCidr(peer.cidr!)];
        const problem = cidrProblem(e);
        if (problem) fail(`${field}.except.${i}`, `got ${JSON.stringify(e)}: ${problem}`);
        // the API server: "must be a strict subset of `cidr`"
        else if (inner && outer && !(contains(outer, inner) && inner.prefix > outer.prefix))
          fail(
            `${field}.except.${i}`,
            `got ${JSON.stringify(e)}, not a strict subset of cidr ${JSON.stringify(peer.cidr)}; allowed: a range inside it and smaller (the API server refuses the policy otherwise)`,
          );
      });
  }
}

/** pods a PodDisruptionBudget value stands for, rounded as the disruption controller does */
function podsFrom(value: number | string, replicas: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const pods = (Number(value.slice(0, -1)) / 100) * replicas;
  return round === 'up' ? Math.ceil(pods) : Math.floor(pods);
}

/**
 * DNS peers, top-level egress, the Ingress's hosts, paths and TLS, the route's matches and
 * timeouts: what the API server, the Gateway API CRD or the NetworkPolicies would refuse or get
 * wrong (the autoscaler's behavior has its bounds in the schema).
 */
function checkNetworkExposure(c: EnvironmentConfig, fail: (f: string, p: string) => void): void {
  if (c.dns.peers) {
    for (const key of ['namespace', 'podLabels'] as const)
      if (c.dns[key] !== undefined)
        fail(
          `dns.${key}`,
          `got ${JSON.stringify(c.dns[key])} next to dns.peers; allowed: one of them (list the DNS pods in dns.peers, e.g. { namespace: kube-system, podLabels: { k8s-app: kube-dns } })`,
        );
  }
  // a peer of this namespace sits behind its default deny: only the database and DNS get the
  // ingress allow that lets the pods in, and each one only for one peer here
  for (const [field, list] of [
    ['database.egress', c.database.egress],
    ['dns.peers', c.dns.peers ?? []],
  ] as const) {
    const local = list.filter((p) => p.namespace === c.namespace);
    if (local.length > 1)
      fail(
        field,
        `got ${local.length} peers in the environment's namespace ${c.namespace}; allowed: one (its ingress allow selects one set of pods)`,
      );
  }
  c.egress.forEach((rule, i) => {
    const known = [
      'app',
      ...Object.keys(c.workers).map((n) => `workers.${n}`),
      ...Object.keys(c.cronJobs).map((n) => `cronJobs.${n}`),
    ];
    rule.appliesTo.forEach((target, j) => {
      if (!known.includes(target))
        fail(
          `egress.${i}.appliesTo.${j}`,
          `got ${JSON.stringify(target)}, which names no workload of this environment; allowed: ${known.join(', ')}`,
        );
      else if (rule.appliesTo.indexOf(target) !== j)
        fail(`egress.${i}.appliesTo.${j}`, `got ${JSON.stringify(target)} twice; allowed: each workload once`);
    });
    rule.to.forEach((p, j) => {
      if (p.namespace === c.namespace)
        fail(
          `egress.${i}.to${rule.to.length === 1 ? '' : `.${j}`}.namespace`,
          `got ${JSON.stringify(p.namespace)}, the environment's own namespace: its default deny keeps those pods closed, and egress adds no ingress allow for them; allowed: a peer in another namespace, or an address block`,
        );
    });
  });

  const ingress = c.ingress;
  if (ingress) {
    if ((ingress.host === undefined) === (ingress.hosts === undefined))
      fail(
        'ingress',
        `got ${ingress.host === undefined ? 'neither host nor hosts' : 'both host and hosts'}; allowed: host (one host, every path) or hosts (each with its paths)`,
      );
    const seen = new Set<string>();
    ingress.hosts?.forEach((h, i) => {
      if (seen.has(h.host))
        fail(
          `ingress.hosts.${i}.host`,
          `got ${JSON.stringify(h.host)} twice; allowed: each host once, with all its paths`,
        );
      seen.add(h.host);
      const paths = new Set<string>();
      h.paths.forEach((p, j) => {
        const field = `ingress.hosts.${i}.paths.${j}.path`;
        const problem = p.pathType === 'ImplementationSpecific' ? undefined : pathProblem(p.path);
        if (problem) fail(field, `got ${JSON.stringify(p.path)}: ${problem}`);
        if (paths.has(`${p.pathType} ${p.path}`))
          fail(
            field,
            `got ${JSON.stringify(p.path)} (${p.pathType}) twice for host ${h.host}; allowed: each path once`,
          );
        paths.add(`${p.pathType} ${p.path}`);
      });
    });
    if (c.production && !ingress.tlsSecretName)
      fail(
        'ingress.tlsSecretName',
        `missing in a production environment (hosts ${JSON.stringify(ingressHostNames(ingress))}): credentials and tokens would cross the network in clear; allowed: the TLS Secret of the hosts, e.g. from cert-manager`,
      );
  }

  const route = c.route;
  route?.matches?.forEach((m, i) => {
    if (m.path && m.path.type !== 'RegularExpression') {
      const problem = pathProblem(m.path.value);
      if (problem) fail(`route.matches.${i}.path.value`, `got ${JSON.stringify(m.path.value)}: ${problem}`);
    }
    const names = (m.headers ?? []).map((h) => h.name.toLowerCase());
    names.forEach((n, j) => {
      if (names.indexOf(n) !== j)
        fail(
          `route.matches.${i}.headers.${j}.name`,
          `got ${JSON.stringify(m.headers![j].name)} twice (header names are case-insensitive); allowed: each header once per match`,
        );
    });
  });
  const t = route?.timeouts;
  if (t?.request !== undefined && t.backendRequest !== undefined) {
    if (gatewayDurationMs(t.backendRequest)! > gatewayDurationMs(t.request)!)
      fail(
        'route.timeouts.backendRequest',
        `got ${JSON.stringify(t.backendRequest)}, longer than request ${JSON.stringify(t.request)}; allowed: at most the request timeout (it is part of the request)`,
      );
  }
}

/**
 * The paths kept from the edge (the metrics, unless `metrics.public`) win over every path the
 * Ingress and the route send to the app only if none of those lies inside them: an Exact path or
 * an equal or longer prefix would win, and a RegularExpression's precedence is the gateway's own.
 */
function checkBlockedPaths(c: EnvironmentConfig, fail: (f: string, p: string) => void): void {
  const blocked = edgeBlockedPaths(c);
  const allowed = 'or metrics.public: true to serve the metrics at the edge';
  c.ingress?.hosts?.forEach((h, i) =>
    h.paths.forEach((p, j) => {
      const problem = blockedPathConflict(p.pathType, p.path, blocked);
      if (problem) fail(`ingress.hosts.${i}.paths.${j}.path`, `got ${JSON.stringify(p.path)}, ${problem}, ${allowed}`);
    }),
  );
  c.route?.matches?.forEach((m, i) => {
    const problem = m.path && blockedPathConflict(m.path.type, m.path.value, blocked);
    if (problem) fail(`route.matches.${i}.path`, `got ${JSON.stringify(m.path!.value)}, ${problem}, ${allowed}`);
  });
}

/** the host names of an Ingress: `host`, or each of `hosts` */
function ingressHostNames(ingress: NonNullable<EnvironmentConfig['ingress']>): string[] {
  return ingress.hosts?.map((h) => h.host) ?? (ingress.host ? [ingress.host] : []);
}

/**
 * What the API server (Ingress Exact and Prefix paths) and the HTTPRoute CRD (Exact and PathPrefix)
 * refuse in a path: not absolute, or with segments a proxy would normalise away.
 */
function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'not an absolute path; allowed: a path starting with "/", e.g. /api';
  const bad = ['//', '/./', '/../', '%2f', '%2F', '#'].find((s) => path.includes(s));
  if (bad || path.endsWith('/..') || path.endsWith('/.'))
    return `contains ${JSON.stringify(bad ?? path.slice(path.lastIndexOf('/')))}; allowed: a path without "//", "/./", "/../", "%2f" or "#", not ending in "/." or "/.."`;
  return undefined;
}

/** the workers and cron jobs that name an image of their own, with the field it is at */
function ownImages(c: EnvironmentConfig) {
  return [
    ...Object.entries(c.workers).map(([name, w]) => [`workers.${name}.image`, w.image] as const),
    ...Object.entries(c.cronJobs).map(([name, j]) => [`cronJobs.${name}.image`, j.image] as const),
  ];
}

/**
 * How many pods of a cron job can run at once: one under Forbid; two under Replace (the replaced
 * run's pod may still be stopping when the next starts); under Allow, one more per minute (the
 * schedule's finest step) that a run may last, each run ending at its activeDeadlineSeconds.
 */
export function cronJobPods(j: CronJobConfig): number {
  const policy = j.concurrencyPolicy ?? CRON_DEFAULTS.concurrencyPolicy;
  if (policy === 'Forbid') return 1;
  if (policy === 'Replace') return 2;
  return Math.floor((j.activeDeadlineSeconds ?? CRON_DEFAULTS.activeDeadlineSeconds) / 60) + 1;
}

/**
 * the most pods a worker has during a rollout: its replicas, or its autoscaler's maximum, a surge
 * of one, and the pod that surge replaces while it terminates (see connectionBudget)
 */
export function workerPods(w: WorkerConfig): number {
  return (w.autoscaling?.maxReplicas ?? w.replicas ?? 1) + 2;
}

/** the workers and cron jobs that open database connections (backendEnv), with their most pods at once */
export function connectingWorkloads(c: EnvironmentConfig): Array<{ what: string; pods: number }> {
  return [
    ...Object.entries(c.workers)
      .filter(([, w]) => w.backendEnv)
      .map(([name, w]) => ({ what: `worker ${name}`, pods: workerPods(w) })),
    ...Object.entries(c.cronJobs)
      .filter(([, j]) => j.backendEnv)
      .map(([name, j]) => ({
        what: `cron job ${name} (${j.concurrencyPolicy ?? CRON_DEFAULTS.concurrencyPolicy})`,
        pods: cronJobPods(j),
      })),
  ];
}

/** the rules of workers and cron jobs: names, scaling, availability, env, resources, the migration */
function checkSecondWorkloads(c: EnvironmentConfig, fail: (field: string, problem: string) => void): void {
  const names = [
    ...Object.keys(c.workers).map(
      (name) => ['workers', name, workerName(name), WORKER_NAME_MAX, 'its Deployment'] as const,
    ),
    ...Object.keys(c.cronJobs).map(
      (name) => ['cronJobs', name, cronJobName(name), CRON_NAME_MAX, 'its CronJob'] as const,
    ),
  ];
  for (const [section, name, object, max, what] of names) {
    if (name.length > max)
      fail(
        `${section}.${name}`,
        `got a name of ${name.length} characters (${what} would be ${object}); allowed: at most ${max}`,
      );
  }
  for (const [name, w] of Object.entries(c.workers)) {
    const at = `workers.${name}`;
    if (w.autoscaling && w.replicas !== undefined)
      fail(`${at}.replicas`, `got ${w.replicas} together with ${at}.autoscaling; allowed: one of them`);
    if (w.autoscaling && w.autoscaling.minReplicas > w.autoscaling.maxReplicas)
      fail(
        `${at}.autoscaling.minReplicas`,
        `got ${w.autoscaling.minReplicas}, above maxReplicas ${w.autoscaling.maxReplicas}; allowed: minReplicas <= maxReplicas`,
      );
    const minPods = w.autoscaling?.minReplicas ?? w.replicas ?? 1;
    const pdb = w.podDisruptionBudget;
    if (pdb) {
      const exactlyOne = (pdb.minAvailable === undefined) !== (pdb.maxUnavailable === undefined);
      if (!exactlyOne)
        fail(
          `${at}.podDisruptionBudget`,
          `got ${JSON.stringify(pdb)}; allowed: exactly one of minAvailable or maxUnavailable`,
        );
      else {
        const [field, value] =
          pdb.minAvailable !== undefined ? ['minAvailable', pdb.minAvailable] : ['maxUnavailable', pdb.maxUnavailable!];
        const blocked =
          field === 'minAvailable' ? podsFrom(value, minPods, 'up') >= minPods : podsFrom(value, minPods, 'down') === 0;
        if (blocked)
          fail(
            `${at}.podDisruptionBudget.${field}`,
            `got ${JSON.stringify(value)} with ${minPods} replica(s) at the minimum: no pod could ever be evicted, so node drains would hang; allowed: a budget that leaves at least one pod evictable`,
          );
      }
    }
    if (c.production) {
      if (minPods < 2)
        fail(
          w.autoscaling ? `${at}.autoscaling.minReplicas` : `${at}.replicas`,
          `got ${minPods} in a production environment; allowed: 2 or more, so a single pod's loss is not an outage`,
        );
      if (!pdb)
        fail(
          `${at}.podDisruptionBudget`,
          'missing in a production environment; allowed: a PodDisruptionBudget such as { maxUnavailable: 1 }',
        );
    }
  }
  const workloads = [
    ...Object.entries(c.workers).map(([name, w]) => [`workers.${name}`, w] as const),
    ...Object.entries(c.cronJobs).map(([name, j]) => [`cronJobs.${name}`, j] as const),
  ];
  for (const [at, w] of workloads) {
    // an init container runs the migration in the app's pods only: nothing would hold this one back
    if (c.migration.strategy === 'initContainer' && w.backendEnv)
      fail(
        `${at}.backendEnv`,
        'got true with migration.strategy "initContainer": the migration runs in the app\'s pods only, and nothing would start this workload after it; allowed: migration.strategy "job" (it runs before every workload), or backendEnv: false',
      );
    for (const [name, value] of Object.entries(w.env))
      for (const problem of envProblems(name, value, c)) fail(`${at}.env.${name}`, problem);
    // with backendEnv the ConfigMap's variables are there too: the same name overrides one, another
    // spelling of it is a second variable the backend reads as the same setting
    const inherited = w.backendEnv ? Object.keys(c.settings.extraEnv) : [];
    for (const group of sameSettingGroups([...new Set([...inherited, ...Object.keys(w.env)])])) {
      const own = group.filter((n) => Object.hasOwn(w.env, n));
      fail(
        `${at}.env.${own[own.length - 1]}`,
        `got ${group.join(' and ')}${inherited.length > 0 ? ' (with settings.extraEnv)' : ''}: one setting to the backend, which reads names in any case, so only the last one in the environment takes effect; allowed: one spelling`,
      );
    }
    checkRequests(`${at}.resources`, w.resources, fail);
  }
}

/**
 * The app's temp dir and upload folder against the traffic: /tmp holds every upload a pod takes
 * at once (Starlette spools each file over 1 MiB there), and uploads shared by several pods live
 * on a claim they can all mount.
 */
export function checkUploads(c: EnvironmentConfig, fail: (field: string, problem: string) => void): void {
  const { uploads, tmpSizeLimit } = c.app;
  const annotation = c.ingress?.annotations[PROXY_BODY_SIZE];
  if (annotation !== undefined && nginxSize(annotation) === undefined)
    fail(
      `ingress.annotations.${PROXY_BODY_SIZE}`,
      `got ${JSON.stringify(annotation)}, which ingress-nginx does not read as a size; allowed: ${NGINX_SIZE_ALLOWED}`,
    );
  const body = acceptedBodySize(c);
  if (body?.size === 'unlimited' && tmpSizeLimit === undefined)
    fail(
      'app.tmpSizeLimit',
      `missing while ${body.from} is ${JSON.stringify(body.text)} (no limit on a request body): /tmp cannot be sized from the uploads, and the kubelet evicts the pod at once, with no preStop and no drain, when an upload fills it; allowed: an explicit app.tmpSizeLimit, or a body size limit`,
    );
  if (c.production && c.route && body === undefined && tmpSizeLimit === undefined)
    fail(
      'app.maxBodySize',
      'missing in a production environment exposed through route: an HTTPRoute sets no limit on a request body, so /tmp cannot be sized from the uploads; allowed: the largest body the gateway lets through (e.g. 100m), or an explicit app.tmpSizeLimit',
    );
  if (body !== undefined && body.size !== 'unlimited' && tmpSizeLimit !== undefined) {
    const needed = tmpBytesNeeded(body.size, uploads.concurrent);
    if (quantityValue(tmpSizeLimit) < needed)
      fail(
        'app.tmpSizeLimit',
        `got ${JSON.stringify(tmpSizeLimit)}, below ${uploads.concurrent} concurrent uploads (app.uploads.concurrent) x ${body.text} (${body.from}) + ${TMP_HEADROOM} headroom = ${mebibytes(needed)}: Starlette spools each uploaded file over 1 MiB to /tmp, and the kubelet evicts the pod at once, with no preStop and no drain, when /tmp passes its sizeLimit; allowed: at least ${mebibytes(needed)}, fewer concurrent uploads or a smaller body size`,
      );
  }

  const pods = maxAppPods(c);
  const shared = pods > 1 || c.app.autoscaling !== undefined;
  const replicas = c.app.autoscaling
    ? `up to ${pods} replicas (app.autoscaling)`
    : `${pods} replica${pods === 1 ? '' : 's'} (app.replicas)`;
  if (uploads.volume && uploads.claimName)
    fail(
      'app.uploads',
      `got both volume and claimName ${JSON.stringify(uploads.claimName)}; allowed: one of them (volume: a claim the output creates; claimName: an existing one)`,
    );
  if (uploads.accessMode !== undefined && uploads.claimName === undefined)
    fail(
      'app.uploads.accessMode',
      `got ${JSON.stringify(uploads.accessMode)} without claimName: it declares the access mode of an existing claim; allowed: claimName next to it, or volume.accessMode for a claim the output creates`,
    );
  const claim = uploads.volume
    ? { field: 'app.uploads.volume.accessMode', mode: uploads.volume.accessMode }
    : uploads.claimName
      ? { field: 'app.uploads.accessMode', mode: uploads.accessMode }
      : undefined;
  if (claim && shared && claim.mode !== 'ReadWriteMany')
    fail(
      claim.field,
      `${claim.mode === undefined ? 'missing' : `got ${JSON.stringify(claim.mode)}`} with ${replicas}: the pods share the claim, and one that only one node (ReadWriteOnce) or one pod (ReadWriteOncePod) may mount leaves the others stuck in ContainerCreating; allowed: ReadWriteMany (a StorageClass such as NFS, EFS, Filestore, CephFS or Azure Files that provides it)`,
    );
  else if (claim?.mode !== undefined && claim.mode !== 'ReadWriteMany' && c.app.rollingUpdate.maxSurge > 0)
    fail(
      claim.field,
      `got ${JSON.stringify(claim.mode)} with app.rollingUpdate.maxSurge ${c.app.rollingUpdate.maxSurge}: a rollout starts the new pod while the old one still mounts the claim, and it waits until the progress deadline (${claim.mode === 'ReadWriteOncePod' ? 'the claim admits one pod' : 'on another node the volume cannot attach'}); allowed: ReadWriteMany, or maxSurge 0 with maxUnavailable 1 (the old pod goes first)`,
    );
  if (c.production && shared && !claim && !uploads.disposable)
    fail(
      'app.uploads',
      `an emptyDir per pod with ${replicas} in a production environment: the uploaded files are split between the pods and deleted with each pod, at every rollout, eviction and scale-down; allowed: volume (a claim the output creates, ReadWriteMany), claimName of an existing claim with accessMode ReadWriteMany, or disposable: true where the files need not outlive the pod`,
    );
}

/**
 * Whom uvicorn trusts with X-Forwarded-*: named in production, each entry an address or a CIDR,
 * wherever it is set (app.trustedProxies, --forwarded-allow-ips in a command of one's own or in
 * app.args, FORWARDED_ALLOW_IPS, which uvicorn reads when the command sets no flag)
 */
function checkTrustedProxies(c: EnvironmentConfig, fail: (field: string, problem: string) => void): void {
  const given = c.app.trustedProxies;
  const resolved = trustedProxies(c);
  const ownCommand = JSON.stringify(c.app.command) !== JSON.stringify(defaultAppCommand(resolved ?? []));
  const judge = (field: string, value: string) => {
    for (const entry of trustedEntries(value)) {
      const problem = trustedEntryProblem(entry, c.production);
      if (problem) fail(field, `got ${JSON.stringify(entry)}: ${problem}`);
    }
  };
  if (given && ownCommand)
    fail(
      'app.trustedProxies',
      `got ${JSON.stringify(given)} together with app.command: the list sets the default command's --forwarded-allow-ips, which app.command replaces; allowed: one of them (with app.command, give --forwarded-allow-ips there)`,
    );
  given?.forEach((entry, i) => judge(`app.trustedProxies[${i}]`, entry));
  if (!ownCommand && resolved === undefined)
    fail(
      'app.trustedProxies',
      "missing in a production environment whose ingress controller or gateway is admitted by namespace: its pods' addresses are not known here, and uvicorn must not trust every peer; allowed: the proxies' addresses or CIDRs, e.g. the cluster's pod CIDR [10.244.0.0/16]",
    );
  const inCommand = ownCommand ? forwardedAllowIps(c.app.command) : undefined;
  if (inCommand) judge('app.command', inCommand.value);
  const inArgs = forwardedAllowIps(c.app.args);
  if (inArgs) judge('app.args', inArgs.value);
  const fromEnv = c.settings.extraEnv[FORWARDED_ENV];
  if (fromEnv !== undefined) judge(`settings.extraEnv.${FORWARDED_ENV}`, fromEnv);
  c.app.env.forEach((e, i) => {
    if (e.name === FORWARDED_ENV && e.value !== undefined) judge(`app.env[${i}].value`, e.value);
  });
}
