/**
 * Per-environment configuration: the schema, its defaults, and the checks that span fields.
 *
 * Config is data. It is parsed and validated once, at the edge (main.ts hands in the file's
 * text), and everything below receives an already-valid, fully defaulted `EnvironmentConfig`.
 * Nothing here touches the filesystem or the process environment.
 */
import { CORE_SCHEMA, load as loadYaml, YAMLException } from 'js-yaml';
// zod/mini: the same checks as zod's classic API at a small fraction of the code to load
import * as z from 'zod/mini';
import { MANAGED_ENV } from './app-env';
import { isPositiveQuantity, quantityValue } from './quantity';
import { looksLikeSecretName } from './secret-names';

/** Where a config value came from: used in every error message. */
export interface ConfigSource {
  /** environment name, e.g. `prod` */
  readonly environment: string;
  /** file path as the user knows it, e.g. `config/prod.yaml` */
  readonly file: string;
}

/**
 * A configuration problem, with where it is, what was given and what is allowed.
 * main.ts prints `message` and exits non-zero.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: ConfigSource,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`config error in environment "${source.environment}" (${source.file}), field ${field || '(root)'}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** every problem of one run, each a ConfigError, one per line */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

// ---------------------------------------------------------------------------------------------
// Value formats
// ---------------------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// OCI reference parts: registry[:port]/path and a tag
const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CIDR = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
const FEATURE = /^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$/;
// Prometheus durations, as the Prometheus Operator CRDs take them: 30s, 1m30s, 2h
const PROMETHEUS_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
// Gateway API hostnames: a DNS subdomain, optionally with a leading wildcard label
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const dnsLabel = z.string().check(z.maxLength(63), z.regex(DNS_LABEL, 'a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters'));
const dnsSubdomain = z.string().check(z.maxLength(253), z.regex(DNS_SUBDOMAIN, 'a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", at most 253 characters'));
const quantity = z.string().check(z.refine(isPositiveQuantity, 'a Kubernetes quantity above zero such as 100m, 0.5, 256Mi or 1Gi (binary suffixes Ki Mi Gi Ti, decimal k M G T; not "MB")'));
const labels = z.record(
  z.string().check(z.regex(LABEL_KEY, 'a label key: [prefix/]name, the name at most 63 characters of letters, digits, "-", "_", "."')),
  z.string().check(z.maxLength(63), z.regex(LABEL_VALUE, 'a label value: at most 63 characters of letters, digits, "-", "_", "."')),
);
/** a whole number within bounds */
const int = (min: number, max?: number) => z.int().check(...(max === undefined ? [z.minimum(min)] : [z.minimum(min), z.maximum(max)]));
const port = int(1, 65535);
const intOrPercent = z.union([int(0), z.string().check(z.regex(/^(100|[1-9]?\d)%$/, 'a percentage such as "25%"'))]);

const imageSchema = z.strictObject({
  /** registry and path, without tag or digest, e.g. `ghcr.io/acme/reviewpoint-backend` */
  repository: z.string().check(z.regex(IMAGE_REPOSITORY, 'an image repository such as ghcr.io/acme/reviewpoint-backend, without tag or digest')),
  /** a pinned tag; `latest` is refused */
  tag: z.optional(z.string().check(
    z.regex(IMAGE_TAG, 'an image tag: letters, digits, "_", "." and "-", at most 128 characters'),
    z.refine((t) => t !== 'latest', 'a pinned tag: "latest" moves under your feet, so it is refused'),
  )),
  /** content digest; required in production */
  digest: z.optional(z.string().check(z.regex(IMAGE_DIGEST, 'a digest of the form sha256:<64 lowercase hex digits>'))),
});

const resourcesSchema = z.strictObject({
  cpuRequest: z._default(quantity, '100m'),
  memoryRequest: z._default(quantity, '256Mi'),
  memoryLimit: z._default(quantity, '512Mi'),
  /** no CPU limit by default: CPU throttling hurts latency more than it protects neighbours */
  cpuLimit: z.optional(quantity),
});

/** who may talk to the pods, or whom the pods may talk to, in NetworkPolicy terms */
const peerSchema = z.strictObject({
  /** an IPv4 CIDR, for peers outside the cluster (a managed database, a load balancer range) */
  cidr: z.optional(z.string().check(z.regex(CIDR, 'an IPv4 CIDR such as 10.20.0.0/16'))),
  /** the namespace of an in-cluster peer (matched on kubernetes.io/metadata.name) */
  namespace: z.optional(dnsLabel),
  /** labels of the peer pods inside `namespace` (all pods of the namespace when omitted) */
  podLabels: z.optional(labels),
});

const DEFAULT_REPO_URL = 'https://github.com/reviewpoint/reviewpoint-k8s.git';

/** where the GitOps engines read this environment from, and where their own objects live */
const deliverySchema = z.strictObject({
  /** the Git repository dist/ is committed to */
  repoURL: z._default(z.string().check(z.regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, 'a Git URL such as https://github.com/acme/gitops.git or git@github.com:acme/gitops.git')), DEFAULT_REPO_URL),
  /** the branch, tag or commit the engines follow */
  revision: z._default(z.string().check(z.minLength(1)), 'main'),
  /** the folder in that repository that holds dist/ (the environment's folder is <root>/<env>) */
  root: z._default(z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/, 'a relative folder such as dist or deploy/dist, no leading ./ or /, no ..')), 'dist'),
  argocd: z.prefault(z.strictObject({
    /** where Argo CD runs and looks for Applications */
    namespace: z._default(dnsLabel, 'argocd'),
    project: z._default(dnsSubdomain, 'default'),
    /** the cluster the Application deploys to */
    server: z._default(z.string().check(z.regex(/^https:\/\/\S+$/, 'an https:// API server URL')), 'https://kubernetes.default.svc'),
  }), {}),
  flux: z.prefault(z.strictObject({
    /** where the Kustomizations live (and their GitRepository) */
    namespace: z._default(dnsLabel, 'flux-system'),
    /** the GitRepository holding this repository; `flux bootstrap` names it flux-system */
    sourceName: z._default(dnsSubdomain, 'flux-system'),
    /** how often Flux reconciles, a Go duration */
    interval: z._default(z.string().check(z.regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, 'a duration such as 10m or 1h30m')), '10m'),
  }), {}),
});

/** how long uvicorn lets open requests finish after SIGTERM (its --timeout-graceful-shutdown) */
const DEFAULT_DRAIN_SECONDS = 20;
/** the image's interpreter: the distroless ENTRYPOINT, and what runs the preStop delay */
export const APP_PYTHON = '/app/.venv/bin/python';
const DEFAULT_APP_COMMAND = [
  APP_PYTHON, '-m', 'uvicorn', 'src.main:app', '--host', '0.0.0.0', '--port', '8000',
  // behind an ingress or gateway: take client address and scheme from X-Forwarded-*. Any peer may
  // set them, since the NetworkPolicy already admits only the ingress, gateway and scrapers
  '--proxy-headers', '--forwarded-allow-ips', '*',
  '--timeout-graceful-shutdown', String(DEFAULT_DRAIN_SECONDS),
];
const DEFAULT_MIGRATION_COMMAND = ['alembic', 'upgrade', 'head'];
const NONROOT_ID = 65532;

export const configSchema = z.strictObject({
  /** the namespace every object lives in */
  namespace: dnsLabel,
  /** production profile: digests required, dangerous settings refused, availability enforced */
  production: z._default(z.boolean(), false),
  app: z.strictObject({
    image: imageSchema,
    /**
     * Explicit command: the distroless image's ENTRYPOINT is the bare interpreter.
     * @default the uvicorn command on port 8000
     */
    command: z._default(z.array(z.string()).check(z.minLength(1)), DEFAULT_APP_COMMAND),
    args: z._default(z.array(z.string()), []),
    /** fixed replica count; give either this or `autoscaling` */
    replicas: z.optional(int(1)),
    autoscaling: z.optional(z.strictObject({
      minReplicas: int(1),
      maxReplicas: int(1),
      targetCPUUtilizationPercent: z._default(int(1, 100), 70),
    })),
    resources: z.prefault(resourcesSchema, {}),
    rollingUpdate: z.prefault(z.strictObject({
      maxSurge: z._default(int(0), 1),
      maxUnavailable: z._default(int(0), 0),
    }), {}),
    /** a PodDisruptionBudget; give minAvailable or maxUnavailable */
    podDisruptionBudget: z.optional(z.strictObject({
      minAvailable: z.optional(intOrPercent),
      maxUnavailable: z.optional(intOrPercent),
    })),
    /**
     * Seconds the pod keeps serving after it is told to stop, before uvicorn gets SIGTERM: the
     * time ingress controllers and gateways take to stop routing to it. Run by the image's Python
     * (an exec preStop hook): the distroless image has no shell and no sleep.
     * @default 10
     */
    preStopSeconds: z._default(int(0, 300), 10),
    /**
     * Seconds from the stop request to SIGKILL: must cover preStopSeconds plus uvicorn's drain
     * (--timeout-graceful-shutdown in the command, 20 by default).
     * @default 35
     */
    terminationGracePeriodSeconds: z._default(int(1, 3600), 35),
    /** how long a rollout may stall before it is reported failed (also catches a hung init container) */
    progressDeadlineSeconds: z._default(int(30), 600),
    /**
     * A PriorityClass for the app's pods, so the scheduler preempts less important pods for them
     * (the class is cluster-scoped and created by the cluster's admins).
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
     */
    priorityClassName: z.optional(dnsSubdomain),
    /** UID/GID the app runs as: the distroless nonroot user */
    runAsUser: z._default(int(1), NONROOT_ID),
    runAsGroup: z._default(int(1), NONROOT_ID),
    /** uploads: an emptyDir of this size, or an existing PersistentVolumeClaim when they must survive restarts */
    uploads: z.prefault(z.strictObject({
      sizeLimit: z._default(quantity, '1Gi'),
      claimName: z.optional(dnsSubdomain),
    }), {}),
  }),
  settings: z.strictObject({
    /** REVIEWPOINT_ENVIRONMENT; `prod` enlarges the DB pool to 10 + 20 overflow */
    environment: z.enum(['dev', 'test', 'prod']),
    logLevel: z._default(z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']), 'INFO'),
    /** CORS origins */
    allowedOrigins: z._default(z.array(z.string().check(z.regex(/^https?:\/\/[^\s/]+$/, 'an origin such as https://app.example.com (scheme and host, no path)'))), []),
    /** enabled feature flags, e.g. health:read */
    features: z._default(z.array(z.string().check(z.regex(FEATURE, 'a feature flag of the form scope:action, e.g. health:read'))), []),
    authEnabled: z._default(z.boolean(), true),
    apiKeyEnabled: z._default(z.boolean(), true),
    /** further non-secret environment variables */
    extraEnv: z._default(z.record(z.string().check(z.regex(ENV_NAME, 'an environment variable name: letters, digits and "_", not starting with a digit')), z.string()), {}),
  }),
  /** the Secret the pods read credentials from; its data never appears in the output */
  secrets: z.strictObject({
    name: dnsSubdomain,
    dbUrlKey: z._default(z.string().check(z.minLength(1)), 'db-url'),
    jwtSecretKey: z._default(z.string().check(z.minLength(1)), 'jwt-secret-key'),
    apiKeyKey: z._default(z.string().check(z.minLength(1)), 'api-key'),
    /**
     * Create the Secret from a secret store with External Secrets Operator (an ExternalSecret,
     * external-secrets.io/v1) instead of by hand: the repository then holds references only.
     * @default none: the Secret must exist before the first sync
     * @see https://external-secrets.io/latest/api/externalsecret/
     */
    externalSecret: z.optional(z.strictObject({
      /** the SecretStore (in the namespace) or ClusterSecretStore to read from */
      store: z.strictObject({
        name: dnsSubdomain,
        kind: z._default(z.enum(['SecretStore', 'ClusterSecretStore']), 'SecretStore'),
      }),
      /** the secret in the store that holds every key, e.g. a Vault path or an AWS secret name */
      remoteKey: z.string().check(z.minLength(1)),
      /**
       * The property of the remote secret each Secret key comes from.
       * @default each Secret key's own name
       */
      properties: z._default(z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))), {}),
      /** how often the operator re-reads the store, a Go duration; "0" reads it once */
      refreshInterval: z._default(z.string().check(z.regex(/^(0|([0-9]+(\.[0-9]+)?(ms|s|m|h))+)$/, 'a duration such as 1h or 15m, or 0')), '1h'),
    })),
  }),
  database: z.strictObject({
    port: z._default(port, 5432),
    /** the server's max_connections, for the connection budget */
    maxConnections: z._default(int(1), 100),
    /** where the database is, for the egress NetworkPolicy */
    egress: peerSchema,
  }),
  /** cluster DNS, for the egress NetworkPolicy */
  dns: z.prefault(z.strictObject({
    namespace: z._default(dnsLabel, 'kube-system'),
    podLabels: z._default(labels, { 'k8s-app': 'kube-dns' }),
    /** the port the DNS pods listen on (the Service's targetPort): 5353 on OpenShift */
    port: z._default(port, 53),
  }), {}),
  /**
   * Secrets of type kubernetes.io/dockerconfigjson that every pod (app and migration) pulls its
   * images with, for a private registry. They must exist before the first sync, like secrets.name.
   * @default none
   */
  imagePullSecrets: z._default(z.array(dnsSubdomain), []),
  /** who may reach the app's port 8000: the ingress controller; optional with `route` */
  allowIngressFrom: z.optional(peerSchema),
  /** an Ingress object, when the environment asks for one */
  ingress: z.optional(z.strictObject({
    host: dnsSubdomain,
    className: z.optional(dnsSubdomain),
    tlsSecretName: z.optional(dnsSubdomain),
    /**
     * Annotations for the ingress controller, passed through as they are, e.g.
     * nginx.ingress.kubernetes.io/proxy-body-size (ingress-nginx refuses bodies over 1m by default)
     * @default none
     */
    annotations: z._default(z.record(z.string().check(z.regex(LABEL_KEY, 'an annotation key: [prefix/]name')), z.string()), {}),
  })),
  /**
   * A Gateway API HTTPRoute to the Service, and a NetworkPolicy that admits the gateway.
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
   */
  route: z.optional(z.strictObject({
    /** the Gateway (a parentRef) the route attaches to; it must allow routes from this namespace */
    gateway: z.strictObject({
      name: dnsSubdomain,
      namespace: dnsLabel,
      /** a listener of that Gateway, e.g. `https`; all of its listeners when omitted */
      sectionName: z.optional(dnsSubdomain),
    }),
    /** the host names the route answers for */
    hostnames: z.array(z.string().check(z.maxLength(253), z.regex(HOSTNAME, 'a host name such as api.example.com or *.example.com'))).check(z.minLength(1)),
    /**
     * Where the gateway's proxy pods run, for the NetworkPolicy: some implementations run them
     * in the Gateway's namespace, others in their own (e.g. envoy-gateway-system).
     * @default the Gateway's namespace
     */
    allowFrom: z.optional(peerSchema),
  })),
  /**
   * A Prometheus Operator ServiceMonitor that scrapes /api/v1/metrics on the Service's http port,
   * and a NetworkPolicy that admits the scrapers to port 8000.
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
   */
  serviceMonitor: z.optional(z.strictObject({
    /** labels the Prometheus selects monitors by: kube-prometheus-stack wants `release: <its release>` */
    labels: z._default(labels, {}),
    interval: z._default(z.string().check(z.regex(PROMETHEUS_DURATION, 'a Prometheus duration such as 30s or 1m30s')), '30s'),
    /** at most `interval`: Prometheus refuses a longer timeout */
    scrapeTimeout: z._default(z.string().check(z.regex(PROMETHEUS_DURATION, 'a Prometheus duration such as 10s')), '10s'),
    /**
     * Where the Prometheus pods run, for the NetworkPolicy.
     * @default every pod of the namespace `monitoring`
     */
    allowFrom: z._default(peerSchema, { namespace: 'monitoring' }),
  })),
  /** how Argo CD and Flux find this environment's output: the delivery objects in dist/<env>/delivery/ */
  delivery: z.prefault(deliverySchema, {}),
  migration: z.strictObject({
    /** job: a Job that runs before the rollout (an Argo CD Sync hook, a Flux stage of its own); initContainer: in every app pod; none: run elsewhere */
    strategy: z.enum(['job', 'initContainer', 'none']),
    /** the shell flavour of the image (it has alembic) */
    image: z.optional(imageSchema),
    command: z._default(z.array(z.string()).check(z.minLength(1)), DEFAULT_MIGRATION_COMMAND),
    /** the shell image's user is a name; pin a numeric one */
    runAsUser: z._default(int(1), NONROOT_ID),
    runAsGroup: z._default(int(1), NONROOT_ID),
    resources: z.prefault(resourcesSchema, {}),
    backoffLimit: z._default(int(0, 10), 2),
    /** hard stop: the image's wait-for-database loop has no timeout of its own */
    activeDeadlineSeconds: z._default(int(30), 600),
    ttlSecondsAfterFinished: z._default(int(0), 86400),
    /** opt-in for initContainer with more than one replica: alembic takes no lock, so replicas race */
    allowConcurrentInitContainers: z._default(z.boolean(), false),
  }),
});

/** A validated, fully defaulted environment configuration. */
export type EnvironmentConfig = z.output<typeof configSchema> & {
  /** the environment's name: the config file's base name */
  readonly name: string;
};
export type ImageConfig = z.output<typeof imageSchema>;
export type ResourcesConfig = z.output<typeof resourcesSchema>;
export type PeerConfig = z.output<typeof peerSchema>;
export type DeliveryConfig = z.output<typeof deliverySchema>;
export type ServiceMonitorConfig = NonNullable<z.output<typeof configSchema>['serviceMonitor']>;
export type ExternalSecretConfig = NonNullable<z.output<typeof configSchema>['secrets']['externalSecret']>;
export type RouteConfig = NonNullable<z.output<typeof configSchema>['route']>;

/** DB connections one pod may open: SQLAlchemy pool size + overflow (see the backend's config). */
export function connectionsPerPod(environment: string): number {
  return environment === 'prod' ? 10 + 20 : 5 + 10;
}

/** Environment names: DNS labels, since they become folder names and label values. */
export function isEnvironmentName(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/**
 * Parse and validate one environment's YAML text.
 * @throws ConfigError naming the environment, the file, the field, the value and what is allowed
 */
export function parseEnvironmentConfig(text: string, source: ConfigSource): EnvironmentConfig {
  let raw: unknown;
  try {
    // js-yaml with the core schema: plain YAML 1.2 types, no dates; duplicate keys are errors
    raw = loadYaml(text, { schema: CORE_SCHEMA, filename: source.file });
  } catch (e) {
    if (e instanceof YAMLException) {
      const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}` : 'unknown position';
      throw new ConfigError(source, '(yaml)', `YAML syntax error at ${where}: ${e.reason}`);
    }
    throw e;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, '', `got ${describe(raw)}; allowed: a mapping of settings (see README, "Configuration")`);
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigErrors(issuesToErrors(result.error.issues, raw, source));
  const data = result.data;
  // under an HPA a budget must bound evictions whatever the replica count: maxUnavailable does,
  // minAvailable: 1 would let a drain take all pods but one at once
  const podDisruptionBudget = data.app.podDisruptionBudget ?? (data.app.autoscaling ? { maxUnavailable: 1 } : undefined);
  const config: EnvironmentConfig = { ...data, app: { ...data.app, podDisruptionBudget }, name: source.environment };
  const errors = checkRules(config, source);
  if (errors.length > 0) throw new ConfigErrors(errors);
  return config;
}

// ---------------------------------------------------------------------------------------------
// Rules that span fields
// ---------------------------------------------------------------------------------------------

const TRUTHY = /^(1|true|yes|on)$/i;

/** every rule that spans fields, each broken one reported */
function checkRules(c: EnvironmentConfig, src: ConfigSource): ConfigError[] {
  const errors: ConfigError[] = [];
  const fail = (field: string, problem: string): void => { errors.push(new ConfigError(src, field, problem)); };

  for (const [key, image] of [['app.image', c.app.image], ['migration.image', c.migration.image]] as const) {
    if (!image) continue;
    if (!image.tag && !image.digest) {
      fail(key, `got ${image.repository} with neither tag nor digest; allowed: a pinned tag (not "latest") and/or a digest sha256:...`);
    }
    if (c.production && !image.digest) {
      fail(`${key}.digest`, `missing in a production environment (tag ${JSON.stringify(image.tag)}); allowed: a digest sha256:<64 hex>, so what runs is exactly what was tested`);
    }
  }
  if (c.migration.strategy !== 'none' && !c.migration.image) {
    fail('migration.image', `missing for strategy "${c.migration.strategy}"; allowed: the shell image's repository and tag/digest (it carries alembic), or strategy "none"`);
  }

  const scaling = c.app.autoscaling;
  if (scaling && c.app.replicas !== undefined) {
    fail('app.replicas', `got ${c.app.replicas} together with app.autoscaling; allowed: one of them (the HorizontalPodAutoscaler owns the replica count)`);
  }
  if (scaling && scaling.minReplicas > scaling.maxReplicas) {
    fail('app.autoscaling.minReplicas', `got ${scaling.minReplicas}, above maxReplicas ${scaling.maxReplicas}; allowed: minReplicas <= maxReplicas`);
  }
  const minPods = scaling?.minReplicas ?? c.app.replicas ?? 1;
  const maxPods = scaling?.maxReplicas ?? c.app.replicas ?? 1;

  const drain = drainSeconds([...c.app.command, ...c.app.args]);
  if (c.app.terminationGracePeriodSeconds <= c.app.preStopSeconds + (drain ?? 0)) {
    fail('app.terminationGracePeriodSeconds', `got ${c.app.terminationGracePeriodSeconds}, not above app.preStopSeconds ${c.app.preStopSeconds}${drain === undefined ? '' : ` + ${drain} (--timeout-graceful-shutdown in the command)`}: the pod would be killed mid-request; allowed: more than ${c.app.preStopSeconds + (drain ?? 0)}`);
  }

  if (c.app.rollingUpdate.maxSurge === 0 && c.app.rollingUpdate.maxUnavailable === 0) {
    fail('app.rollingUpdate', 'got maxSurge 0 and maxUnavailable 0; allowed: at least one above 0, or a rollout can never progress');
  }

  const pdb = c.app.podDisruptionBudget;
  if (pdb) {
    const exactlyOne = (pdb.minAvailable === undefined) !== (pdb.maxUnavailable === undefined);
    if (!exactlyOne) fail('app.podDisruptionBudget', `got ${JSON.stringify(pdb)}; allowed: exactly one of minAvailable or maxUnavailable`);
    const blocked = exactlyOne && (pdb.minAvailable !== undefined
      ? podsFrom(pdb.minAvailable, minPods, 'up') >= minPods
      : podsFrom(pdb.maxUnavailable!, minPods, 'down') === 0);
    if (blocked) {
      const [field, value] = pdb.minAvailable !== undefined ? ['minAvailable', pdb.minAvailable] : ['maxUnavailable', pdb.maxUnavailable];
      fail(`app.podDisruptionBudget.${field}`, `got ${JSON.stringify(value)} with ${minPods} replica(s) at the minimum: no pod could ever be evicted, so node drains would hang; allowed: a budget that leaves at least one pod evictable (e.g. minAvailable ${Math.max(minPods - 1, 0)})`);
    }
  }

  if (c.production) {
    if (minPods < 2) {
      fail(scaling ? 'app.autoscaling.minReplicas' : 'app.replicas', `got ${minPods} in a production environment; allowed: 2 or more, so a single pod's loss is not an outage`);
    }
    if (!pdb) fail('app.podDisruptionBudget', 'missing in a production environment; allowed: a PodDisruptionBudget such as { minAvailable: 1 }');
  }

  if (c.migration.strategy === 'initContainer' && maxPods > 1 && !c.migration.allowConcurrentInitContainers) {
    fail('migration.strategy', `got "initContainer" with up to ${maxPods} replicas: alembic takes no lock, so concurrent pods would race on the schema; allowed: strategy "job", one replica, or migration.allowConcurrentInitContainers: true if your migrations lock`);
  }

  const perPod = connectionsPerPod(c.settings.environment);
  const budget = (maxPods + c.app.rollingUpdate.maxSurge) * perPod;
  if (budget > c.database.maxConnections) {
    fail('database.maxConnections', `got ${c.database.maxConnections}, but (${maxPods} max replicas + ${c.app.rollingUpdate.maxSurge} surge) x ${perPod} connections per pod (settings.environment "${c.settings.environment}") = ${budget}; allowed: maxConnections >= ${budget}, or fewer replicas`);
  }

  checkPeer(c.database.egress, 'database.egress', fail);
  if (c.allowIngressFrom) checkPeer(c.allowIngressFrom, 'allowIngressFrom', fail);
  else if (!c.route) fail('allowIngressFrom', 'missing; allowed: { cidr } or { namespace, podLabels } of the ingress controller, or a route section (then the gateway is admitted)');
  if (c.ingress && !c.allowIngressFrom) fail('allowIngressFrom', 'missing next to ingress: nothing would admit the ingress controller to port 8000; allowed: { namespace, podLabels } of the ingress controller');
  if (c.route?.allowFrom) checkPeer(c.route.allowFrom, 'route.allowFrom', fail);
  const external = c.secrets.externalSecret;
  if (external) {
    const needed = secretKeys(c);
    for (const key of Object.keys(external.properties)) {
      if (!needed.includes(key)) fail(`secrets.externalSecret.properties.${key}`, `got a property for ${JSON.stringify(key)}, which the pods do not read; allowed: ${needed.map((k) => JSON.stringify(k)).join(', ')} (secrets.dbUrlKey, jwtSecretKey, apiKeyKey)`);
    }
  }
  const monitor = c.serviceMonitor;
  if (monitor) {
    checkPeer(monitor.allowFrom, 'serviceMonitor.allowFrom', fail);
    if (durationMs(monitor.scrapeTimeout) > durationMs(monitor.interval)) {
      fail('serviceMonitor.scrapeTimeout', `got ${JSON.stringify(monitor.scrapeTimeout)}, longer than interval ${JSON.stringify(monitor.interval)}; allowed: at most the interval (Prometheus refuses the scrape configuration otherwise)`);
    }
  }

  for (const [name, value] of Object.entries(c.settings.extraEnv)) {
    const field = `settings.extraEnv.${name}`;
    if (MANAGED_ENV.has(name)) {
      fail(field, `got ${name}, which the manifests set themselves; allowed: the dedicated field under settings or secrets`);
    }
    if (looksLikeSecretName(name)) {
      fail(field, `got a literal value for a secret-looking name; allowed: secrets only by reference from the Secret "${c.secrets.name}", never written into manifests`);
    }
    if (c.production) {
      if (name === 'REVIEWPOINT_TEST_MODE' && TRUTHY.test(value)) fail(field, `got ${JSON.stringify(value)} in a production environment: test mode unlocks an unauthenticated admin-promotion endpoint; allowed: unset`);
      if (name === 'REVIEWPOINT_DEBUG' && TRUTHY.test(value)) fail(field, `got ${JSON.stringify(value)} in a production environment; allowed: unset or false`);
      if (name === 'ENVIRONMENT' && value.toLowerCase() === 'test') fail(field, 'got "test" in a production environment: it unlocks an unauthenticated admin-promotion endpoint; allowed: unset');
    }
  }
  if (c.production) {
    if (!c.settings.authEnabled) fail('settings.authEnabled', 'got false in a production environment: it bypasses authentication entirely; allowed: true');
    if (c.settings.environment === 'test') fail('settings.environment', 'got "test" in a production environment: it unlocks an unauthenticated admin-promotion endpoint; allowed: "prod"');
    if (c.settings.logLevel === 'DEBUG') fail('settings.logLevel', 'got "DEBUG" in a production environment; allowed: INFO, WARNING, ERROR or CRITICAL');
  }

  // the API server refuses a pod whose request is above its limit
  for (const [at, r] of [['app.resources', c.app.resources], ['migration.resources', c.migration.resources]] as const) {
    for (const [request, limit] of [['cpuRequest', 'cpuLimit'], ['memoryRequest', 'memoryLimit']] as const) {
      const [req, lim] = [r[request], r[limit]];
      if (lim !== undefined && quantityValue(req) > quantityValue(lim)) {
        fail(`${at}.${request}`, `got ${JSON.stringify(req)}, above ${limit} ${JSON.stringify(lim)}; allowed: at most the limit (the API server refuses the pod)`);
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

function checkPeer(peer: PeerConfig, field: string, fail: (f: string, p: string) => void): void {
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

// ---------------------------------------------------------------------------------------------
// Error formatting
// ---------------------------------------------------------------------------------------------

type Issue = z.core.$ZodIssue;

/**
 * Every schema problem, one error each. A misspelt key also leaves its correct name missing: the
 * misspelling is reported, it explains both.
 */
function issuesToErrors(issues: readonly Issue[], raw: unknown, source: ConfigSource): ConfigError[] {
  const misspelt = new Set<string>();
  const errors: ConfigError[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = issue.path.map(String);
    const known = knownKeys(path);
    for (const key of issue.keys) {
      const hint = closest(key, known);
      if (hint) misspelt.add([...path, hint].join('.'));
      const elsewhere = hint ? undefined : keyElsewhere(key);
      const suggestion = hint ? ` (did you mean "${hint}"?)` : elsewhere ? ` (did you mean "${elsewhere}"? it belongs there)` : '';
      errors.push(new ConfigError(source, [...path, key].join('.'), `unknown key ${JSON.stringify(key)}${suggestion}; allowed keys here: ${known.join(', ')}`));
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const missing = (issue as { input?: unknown }).input === undefined;
    if (missing && misspelt.has(issue.path.map(String).join('.'))) continue;
    errors.push(issueToError(issue, source));
  }
  return errors.length > 0 ? errors : [new ConfigError(source, '', `got ${describe(raw)}; allowed: see README, "Configuration"`)];
}

function issueToError(issue: Issue, source: ConfigSource): ConfigError {
  const path = issue.path.map(String);
  const field = path.join('.');
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      const node = unwrap(nodeAt(path));
      if (input === undefined) {
        // a missing block: say what goes in it
        const needs = node instanceof z.ZodMiniObject ? blockContents(node) : '';
        return new ConfigError(source, field, `missing; allowed: ${typeName(issue.expected)}${needs}`);
      }
      if (issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
        // YAML reads 512, 0.5 or yes as a number or a boolean
        const unit = node === quantity ? ' with its unit, e.g. "512Mi" or "0.5"' : '';
        return new ConfigError(source, field, `got ${describe(input)}; allowed: a string${unit}: quote it, e.g. ${field.split('.').pop()}: "${String(input)}"`);
      }
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${typeName(issue.expected)}`);
    }
    case 'invalid_value':
      return new ConfigError(source, field, `got ${describe(input)}; allowed: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
    case 'invalid_format':
    case 'custom':
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${issue.message}`);
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `>= ${issue.minimum}` : `<= ${issue.maximum}`;
      const what = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
      return new ConfigError(source, field, `got ${describe(input)}; allowed: ${what ? `${what} ${bound}` : bound}`);
    }
    case 'invalid_key':
      return new ConfigError(source, field, `got key ${describe(input)}; allowed: ${issue.issues[0]?.message ?? 'a valid key'}`);
    case 'invalid_union':
      return new ConfigError(source, field, `got ${describe(input)}; allowed: a whole number or a percentage such as "25%"`);
    default:
      return new ConfigError(source, field, `got ${describe(input)}; ${issue.message}`);
  }
}

/** the schema node at a path of object keys */
function nodeAt(path: readonly string[]): z.ZodMiniType | undefined {
  let node: z.ZodMiniType | undefined = configSchema;
  for (const part of path) {
    node = unwrap(node);
    if (!(node instanceof z.ZodMiniObject)) return undefined;
    node = node.shape[part] as z.ZodMiniType | undefined;
  }
  return node;
}

/** ", with keys a (required), b, c" for a missing block */
function blockContents(node: z.ZodMiniObject): string {
  const keys = Object.entries(node.shape).map(([k, v]) => ((v as z.ZodMiniType)._zod.optin === undefined ? `${k} (required)` : k));
  return ` with the keys ${keys.join(', ')}`;
}

/** the full path of the one place in the schema where a key of this name belongs */
function keyElsewhere(key: string): string | undefined {
  const found: string[] = [];
  const walk = (node: z.ZodMiniType | undefined, path: string[]): void => {
    const object = unwrap(node);
    if (!(object instanceof z.ZodMiniObject)) return;
    for (const [k, child] of Object.entries(object.shape)) {
      if (k === key) found.push([...path, k].join('.'));
      walk(child as z.ZodMiniType, [...path, k]);
    }
  };
  walk(configSchema, []);
  return found.length > 0 ? found.join('" or "') : undefined;
}

/** the keys the schema allows at an object path, for "did you mean" hints */
function knownKeys(path: readonly string[]): string[] {
  const node = unwrap(nodeAt(path));
  return node instanceof z.ZodMiniObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodMiniType | undefined): z.ZodMiniType | undefined {
  let current = node as { _zod?: { def: { innerType?: z.ZodMiniType } } } | undefined;
  while (current?._zod?.def.innerType) current = current._zod.def.innerType as typeof current;
  return current as z.ZodMiniType | undefined;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list ${truncate(JSON.stringify(value))}`;
  if (typeof value === 'object') return `a mapping ${truncate(JSON.stringify(value))}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function typeName(expected: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', number: 'a number', int: 'a whole number', string: 'a string', boolean: 'true or false' };
  return names[expected] ?? expected;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

