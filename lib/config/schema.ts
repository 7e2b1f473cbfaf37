/**
 * The config schema: every field with its default, as zod checks it and the editor schema shows it.
 */
import * as z from 'zod/mini';
import { GATEWAY_DURATION } from '../constructs/http-route';
import {
  ENV_NAME,
  LABEL_KEY,
  FEATURE,
  PROMETHEUS_DURATION,
  HOSTNAME,
  dnsLabel,
  dnsSubdomain,
  quantity,
  labels,
  int,
  port,
  id,
  intOrPercent,
  imageSchema,
  resourcesSchema,
  peerSchema,
  peers,
  egressRuleSchema,
  deliverySchema,
} from './formats';
import { cronScheduleProblem, timeZoneProblem } from '../constructs/cron-schedule';
import { NGINX_SIZE_ALLOWED, nginxSize } from '../nginx-size';
import {
  affinitySchema,
  annotations,
  envFromSchema,
  envVarSchema,
  probesSchema,
  tolerationSchema,
} from './pod-formats';
import { FORWARDED_FLAG } from './proxies';

/** how long uvicorn lets open requests finish after SIGTERM (its --timeout-graceful-shutdown) */
const DEFAULT_DRAIN_SECONDS = 20;
/** the image's interpreter: the distroless ENTRYPOINT, and what runs the preStop delay */
export const APP_PYTHON = '/app/.venv/bin/python';
/**
 * The app's command unless app.command says otherwise: uvicorn on port 8000, taking the client's
 * address and scheme from X-Forwarded-* of the proxies it trusts (see proxies.ts), and draining
 * for DEFAULT_DRAIN_SECONDS after SIGTERM.
 */
export function defaultAppCommand(trustedProxies: readonly string[]): string[] {
  return [
    APP_PYTHON,
    '-m',
    'uvicorn',
    'src.main:app',
    '--host',
    '0.0.0.0',
    '--port',
    '8000',
    '--proxy-headers',
    FORWARDED_FLAG,
    trustedProxies.join(','),
    '--timeout-graceful-shutdown',
    String(DEFAULT_DRAIN_SECONDS),
  ];
}
const DEFAULT_MIGRATION_COMMAND = ['alembic', 'upgrade', 'head'];
const NONROOT_ID = 65532;
/** how a volume claim may be mounted; ReadOnlyMany is no use for uploads */
const accessModeSchema = z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany']);

/** one direction of an HPA's behavior, within the bounds the API server validates */
const scalingRulesSchema = z.strictObject({
  /** seconds of past recommendations the autoscaler considers, 0 to 3600 */
  stabilizationWindowSeconds: z.optional(int(0, 3600)),
  /** which policy wins when several allow a change: Max, Min, or Disabled (no scaling this way) */
  selectPolicy: z.optional(z.enum(['Max', 'Min', 'Disabled'])),
  /** @default the API server's for the direction */
  policies: z.optional(
    z
      .array(
        z.strictObject({
          type: z.enum(['Pods', 'Percent']),
          /** pods, or percent of the current count, per period: above 0 */
          value: int(1),
          periodSeconds: int(1, 1800),
        }),
      )
      .check(z.minLength(1)),
  ),
});

/** cluster DNS as the default peer: CoreDNS (kube-dns) in kube-system */
export const DEFAULT_DNS = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } as const;
const HTTP_HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * A second workload's own image, command and environment, for workers and cron jobs alike: the
 * app's image, identity and settings unless it says otherwise.
 */
const workloadFields = {
  /** @default the app's image (then set-image --app moves it too) */
  image: z.optional(imageSchema),
  /** what it runs: the image's ENTRYPOINT is the bare interpreter */
  command: z.array(z.string()).check(z.minLength(1)),
  args: z._default(z.array(z.string()), []),
  resources: z.prefault(resourcesSchema, {}),
  /** literal non-secret variables, judged like settings.extraEnv */
  env: z._default(
    z.record(
      z
        .string()
        .check(z.regex(ENV_NAME, 'an environment variable name: letters, digits and "_", not starting with a digit')),
      z.string(),
    ),
    {},
  ),
  /**
   * The backend's settings (the ConfigMap) and its Secret's variables (database URL, JWT keys),
   * as the app gets them; counted in the database connection budget. false: neither, and no
   * database connections counted.
   * @default true
   */
  backendEnv: z._default(z.boolean(), true),
  /** @default app.runAsUser */
  runAsUser: z.optional(int(1)),
  /** @default app.runAsGroup */
  runAsGroup: z.optional(int(1)),
};

/** a background worker: a Deployment without a Service */
const workerSchema = z.strictObject({
  ...workloadFields,
  /** fixed replica count; give either this or `autoscaling` @default 1 */
  replicas: z.optional(int(1)),
  autoscaling: z.optional(
    z.strictObject({
      minReplicas: int(1),
      maxReplicas: int(1),
      targetCPUUtilizationPercent: z._default(int(1, 100), 70),
    }),
  ),
  /** a PodDisruptionBudget; required in production, maxUnavailable: 1 under autoscaling by default */
  podDisruptionBudget: z.optional(
    z.strictObject({
      minAvailable: z.optional(intOrPercent),
      maxUnavailable: z.optional(intOrPercent),
    }),
  ),
  /**
   * A command that exits 0 while the worker is healthy (it has no port to probe): the readiness
   * probe (out at the first failure) and the liveness probe (restarted after three).
   */
  healthCommand: z.array(z.string()).check(z.minLength(1)),
  /** how often the health command runs @default 30 */
  healthPeriodSeconds: z.optional(int(5, 3600)),
  /** time to finish the task at hand after SIGTERM @default 30 */
  terminationGracePeriodSeconds: z.optional(int(1, 3600)),
});

/** a CronJob of one hardened container */
const cronJobSchema = z.strictObject({
  ...workloadFields,
  /** five cron fields (`30 2 * * *`) or a macro (`@daily`), in `timeZone` */
  schedule: z
    .string()
    .check(
      z.refine(
        (v) => cronScheduleProblem(v) === undefined,
        'five cron fields such as "30 2 * * *", or a macro such as @daily (no TZ= prefix: use timeZone)',
      ),
    ),
  /** an IANA time zone @default the controller's, UTC on most clusters */
  timeZone: z.optional(
    z
      .string()
      .check(z.refine((v) => timeZoneProblem(v) === undefined, 'an IANA time zone such as Europe/Berlin or Etc/UTC')),
  ),
  /** Forbid: a run still going when the next is due skips the next @default Forbid */
  concurrencyPolicy: z.optional(z.enum(['Forbid', 'Replace', 'Allow'])),
  /** how late a missed run may still start @default 300 */
  startingDeadlineSeconds: z.optional(int(10)),
  /** how long one run may take, retries included @default 3600 */
  activeDeadlineSeconds: z.optional(int(1)),
  /** retries of a failed run @default 0 */
  backoffLimit: z.optional(int(0, 10)),
  /** @default 3 */
  successfulJobsHistoryLimit: z.optional(int(0, 100)),
  /** @default 1 */
  failedJobsHistoryLimit: z.optional(int(0, 100)),
});

export const configSchema = z.strictObject({
  /** the namespace every object lives in */
  namespace: dnsLabel,
  /** production profile: digests required, dangerous settings refused, availability enforced */
  production: z._default(z.boolean(), false),
  app: z.strictObject({
    image: imageSchema,
    /**
     * Explicit command: the distroless image's ENTRYPOINT is the bare interpreter.
     * @default the uvicorn command on port 8000, trusting X-Forwarded-* from app.trustedProxies
     */
    command: z.optional(z.array(z.string()).check(z.minLength(1))),
    args: z._default(z.array(z.string()), []),
    /** fixed replica count; give either this or `autoscaling` */
    replicas: z.optional(int(1)),
    autoscaling: z.optional(
      z.strictObject({
        minReplicas: int(1),
        maxReplicas: int(1),
        targetCPUUtilizationPercent: z._default(int(1, 100), 70),
        /** average memory use, in percent of the request, to aim at too @default CPU only */
        targetMemoryUtilizationPercent: z.optional(int(1, 100)),
        /**
         * How fast the autoscaler adds and removes pods (autoscaling/v2 behavior)
         * @default the API server's: scale up at once, down after a 300 s window
         * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
         */
        behavior: z.optional(
          z.strictObject({ scaleUp: z.optional(scalingRulesSchema), scaleDown: z.optional(scalingRulesSchema) }),
        ),
      }),
    ),
    resources: z.prefault(resourcesSchema, {}),
    rollingUpdate: z.prefault(
      z.strictObject({
        maxSurge: z._default(int(0), 1),
        maxUnavailable: z._default(int(0), 0),
      }),
      {},
    ),
    /** a PodDisruptionBudget; give minAvailable or maxUnavailable */
    podDisruptionBudget: z.optional(
      z.strictObject({
        minAvailable: z.optional(intOrPercent),
        maxUnavailable: z.optional(intOrPercent),
      }),
    ),
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
    runAsUser: z._default(id, NONROOT_ID),
    runAsGroup: z._default(id, NONROOT_ID),
    /**
     * sizeLimit of the emptyDir at /tmp, where Starlette spools every uploaded file over 1 MiB
     * @default what the accepted body size and app.uploads.concurrent need (at least 256Mi)
     */
    tmpSizeLimit: z.optional(quantity),
    /**
     * The largest request body that reaches the app where the Ingress's proxy-body-size does not
     * say it (a gateway, callers inside the cluster), in nginx's syntax: 100m, 1g, 0 for no limit
     * @default the Ingress's proxy-body-size, if any
     */
    maxBodySize: z.optional(z.string().check(z.refine((v) => nginxSize(v) !== undefined, NGINX_SIZE_ALLOWED))),
    /**
     * The upload folder (/app/uploads): a per-pod emptyDir of sizeLimit (the default), a claim
     * the output creates (volume), or an existing claim (claimName)
     */
    uploads: z.prefault(
      z.strictObject({
        /** the emptyDir's size, when neither volume nor claimName is set */
        sizeLimit: z._default(quantity, '1Gi'),
        /** an existing PersistentVolumeClaim in the namespace */
        claimName: z.optional(dnsSubdomain),
        /** the access mode of the claimName's claim; ReadWriteMany when several pods share it */
        accessMode: z.optional(accessModeSchema),
        /**
         * A PersistentVolumeClaim the output creates (reviewpoint-backend-uploads), which no
         * engine prunes or deletes
         */
        volume: z.optional(
          z.strictObject({
            /** the storage it requests, e.g. 20Gi */
            size: quantity,
            /** a StorageClass that provides accessMode @default the cluster's default class */
            storageClassName: z.optional(dnsSubdomain),
            /** ReadWriteMany when several pods share it (NFS, EFS, Filestore, CephFS, Azure Files) */
            accessMode: accessModeSchema,
          }),
        ),
        /**
         * uploads one pod takes at once, for the size of /tmp: uvicorn's one worker serves
         * requests concurrently, with no limit of its own (--limit-concurrency unset)
         * @default 4
         */
        concurrent: z._default(int(1, 64), 4),
        /**
         * the files need not outlive the pod: per-pod emptyDirs are then allowed in production
         * with several replicas (each pod has its own, and a rollout deletes them)
         * @default false
         */
        disposable: z._default(z.boolean(), false),
      }),
      {},
    ),
    /**
     * Annotations of the app's pods (not the migration Job's: a mesh sidecar would keep a Job from
     * completing), e.g. sidecar.istio.io/inject; through the annotation policy
     * @default none
     */
    podAnnotations: z._default(annotations, {}),
    /** labels of the app's pods, besides those the synth sets (never a selector label) @default none */
    podLabels: z._default(labels, {}),
    /** the app's ServiceAccount; its token stays unmounted */
    serviceAccount: z.prefault(
      z.strictObject({
        /** e.g. eks.amazonaws.com/role-arn (IRSA), iam.gke.io/gcp-service-account (Workload Identity) @default none */
        annotations: z._default(annotations, {}),
      }),
      {},
    ),
    /**
     * Node labels the app's nodes must carry, e.g. kubernetes.io/arch: arm64; the migration's pods
     * follow unless migration.nodeSelector is set
     * @default any node
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
     */
    nodeSelector: z._default(labels, {}),
    /**
     * Taints the app's pods tolerate, e.g. a spot pool's; never all taints nor the control plane's
     * @default none
     * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
     */
    tolerations: z._default(z.array(tolerationSchema), []),
    /** node affinity and pod (anti-)affinity, as the Kubernetes Affinity type @default none */
    affinity: z.optional(affinitySchema),
    /**
     * More variables for the app's container (and the migration's), as Kubernetes takes them:
     * { name, value } for a literal, { name, valueFrom } for a Secret's or ConfigMap's key, a
     * field of the pod or a resource of the container
     * @default none
     */
    env: z._default(z.array(envVarSchema), []),
    /** every key of a Secret or ConfigMap as a variable (secretRef or configMapRef, optional prefix) @default none */
    envFrom: z._default(z.array(envFromSchema), []),
    /** the path, port and timings of the startup, readiness and liveness probes */
    probes: z.prefault(probesSchema, {}),
    /**
     * The proxies whose X-Forwarded-For and X-Forwarded-Proto uvicorn believes (the default
     * command's --forwarded-allow-ips): IP addresses or CIDRs, e.g. the cluster's pod CIDR when
     * the ingress controller runs in pods, its nodes' range on the host network. `*` (every peer)
     * outside production only.
     * @default the CIDRs of allowIngressFrom and route.allowFrom when each is one; else `*` outside
     * production, and required in production
     */
    trustedProxies: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  }),
  settings: z.strictObject({
    /** REVIEWPOINT_ENVIRONMENT; `prod` enlarges the DB pool to 10 + 20 overflow */
    environment: z.enum(['dev', 'test', 'prod']),
    logLevel: z._default(z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']), 'INFO'),
    /** CORS origins */
    allowedOrigins: z._default(
      z.array(
        z
          .string()
          .check(
            z.regex(/^https?:\/\/[^\s/]+$/, 'an origin such as https://app.example.com (scheme and host, no path)'),
          ),
      ),
      [],
    ),
    /** enabled feature flags, e.g. health:read */
    features: z._default(
      z.array(z.string().check(z.regex(FEATURE, 'a feature flag of the form scope:action, e.g. health:read'))),
      [],
    ),
    authEnabled: z._default(z.boolean(), true),
    apiKeyEnabled: z._default(z.boolean(), true),
    /**
     * Further non-secret variables, as literal shorthand: they go into the settings ConfigMap (a
     * change rolls the pods). References (a Secret's key, a pod field) go in app.env
     */
    extraEnv: z._default(
      z.record(
        z
          .string()
          .check(z.regex(ENV_NAME, 'an environment variable name: letters, digits and "_", not starting with a digit')),
        z.string(),
      ),
      {},
    ),
  }),
  /** the Secret the pods read credentials from; its data never appears in the output */
  secrets: z.strictObject({
    name: dnsSubdomain,
    dbUrlKey: z._default(z.string().check(z.minLength(1)), 'db-url'),
    jwtSecretKey: z._default(z.string().check(z.minLength(1)), 'jwt-secret-key'),
    apiKeyKey: z._default(z.string().check(z.minLength(1)), 'api-key'),
    /**
     * Who restarts the pods when the Secret changes (they read it as env vars, at start only):
     * stakater, Stakater Reloader, watching the Secrets the app's and workers' env reads
     * @default none: a rotated Secret reaches the pods at their next start (kubectl rollout restart)
     */
    reload: z.optional(z.enum(['stakater'])),
    /**
     * Create the Secret from a secret store with External Secrets Operator (an ExternalSecret,
     * external-secrets.io/v1) instead of by hand: the repository then holds references only.
     * @default none: the Secret must exist before the first sync
     * @see https://external-secrets.io/latest/api/externalsecret/
     */
    externalSecret: z.optional(
      z.strictObject({
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
        refreshInterval: z._default(
          z.string().check(z.regex(/^(0|([0-9]+(\.[0-9]+)?(ms|s|m|h))+)$/, 'a duration such as 1h or 15m, or 0')),
          '1h',
        ),
      }),
    ),
  }),
  database: z.strictObject({
    port: z._default(port, 5432),
    /** the server's max_connections, for the connection budget */
    maxConnections: z._default(int(1), 100),
    /**
     * Connections the server keeps from the app's role: superuser_reserved_connections (3 by
     * default), plus reserved_connections on PostgreSQL 16 and later (0 by default)
     * @default 3
     */
    reservedConnections: z._default(int(0), 3),
    /** where the database is, for the egress NetworkPolicy: a peer or a list of them */
    egress: peers,
  }),
  /** cluster DNS, for the egress NetworkPolicy */
  dns: z.prefault(
    z.strictObject({
      /** @default kube-system */
      namespace: z.optional(dnsLabel),
      /** @default k8s-app: kube-dns */
      podLabels: z.optional(labels),
      /**
       * Where DNS answers, in place of namespace and podLabels: a peer or a list of them, e.g.
       * NodeLocal DNSCache's address { cidr: 169.254.20.10/32 } beside CoreDNS's pods
       * @default namespace and podLabels
       */
      peers: z.optional(peers),
      /** the port the DNS pods listen on (the Service's targetPort): 5353 on OpenShift */
      port: z._default(port, 53),
    }),
    {},
  ),
  /**
   * Secrets of type kubernetes.io/dockerconfigjson that every pod (app and migration) pulls its
   * images with, for a private registry. They must exist before the first sync, like secrets.name.
   * @default none
   */
  imagePullSecrets: z._default(z.array(dnsSubdomain), []),
  /** who may reach the app's port 8000: the ingress controller; optional with `route`; a peer or a list */
  allowIngressFrom: z.optional(peers),
  /**
   * Further destinations (an SMTP relay, an object store, an OTLP collector), each with its ports,
   * for the workloads its appliesTo names (the app by default): one NetworkPolicy per workload,
   * reviewpoint-backend-app-egress, -worker-<name>-egress, -cron-<name>-egress. The migration keeps
   * DNS and the database only.
   * @default none
   */
  egress: z._default(z.array(egressRuleSchema), []),
  /** an Ingress object, when the environment asks for one */
  ingress: z.optional(
    z.strictObject({
      /** the one host name, on path `/`; or `hosts` */
      host: z.optional(dnsSubdomain),
      /**
       * Host names, each with its paths, in place of `host`
       * @default `host` on path `/`
       */
      hosts: z.optional(
        z
          .array(
            z.strictObject({
              host: dnsSubdomain,
              /** @default path `/`, pathType Prefix */
              paths: z._default(
                z
                  .array(
                    z.strictObject({
                      path: z.string().check(z.regex(/^\//, 'an absolute path such as /api')),
                      pathType: z._default(z.enum(['Prefix', 'Exact', 'ImplementationSpecific']), 'Prefix'),
                    }),
                  )
                  .check(z.minLength(1)),
                [{ path: '/', pathType: 'Prefix' }],
              ),
            }),
          )
          .check(z.minLength(1)),
      ),
      className: z.optional(dnsSubdomain),
      /** a TLS Secret for every host; required in production */
      tlsSecretName: z.optional(dnsSubdomain),
      /**
       * Annotations for the ingress controller, passed through as they are, e.g.
       * nginx.ingress.kubernetes.io/proxy-body-size (ingress-nginx refuses bodies over 1m by default)
       * @default none
       */
      annotations: z._default(
        z.record(z.string().check(z.regex(LABEL_KEY, 'an annotation key: [prefix/]name')), z.string()),
        {},
      ),
    }),
  ),
  /**
   * A Gateway API HTTPRoute to the Service, and a NetworkPolicy that admits the gateway.
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
   */
  route: z.optional(
    z.strictObject({
      /** the Gateway (a parentRef) the route attaches to; it must allow routes from this namespace */
      gateway: z.strictObject({
        name: dnsSubdomain,
        namespace: dnsLabel,
        /** a listener of that Gateway, e.g. `https`; all of its listeners when omitted */
        sectionName: z.optional(dnsSubdomain),
      }),
      /** the host names the route answers for */
      hostnames: z
        .array(
          z.string().check(z.maxLength(253), z.regex(HOSTNAME, 'a host name such as api.example.com or *.example.com')),
        )
        .check(z.minLength(1)),
      /**
       * Where the gateway's proxy pods run, for the NetworkPolicy: some implementations run them
       * in the Gateway's namespace, others in their own (e.g. envoy-gateway-system).
       * @default the Gateway's namespace
       */
      allowFrom: z.optional(peers),
      /**
       * What the route's rule matches: each entry a path, headers and a method, all of which a
       * request must have (a request matching any entry is routed)
       * @default every path (PathPrefix /)
       * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch
       */
      matches: z.optional(
        z
          .array(
            z.strictObject({
              path: z.optional(
                z.strictObject({
                  type: z._default(z.enum(['PathPrefix', 'Exact', 'RegularExpression']), 'PathPrefix'),
                  /** Exact and PathPrefix: an absolute path; RegularExpression: the gateway's syntax */
                  value: z.string().check(z.minLength(1), z.maxLength(1024)),
                }),
              ),
              headers: z.optional(
                z
                  .array(
                    z.strictObject({
                      name: z
                        .string()
                        .check(
                          z.maxLength(256),
                          z.regex(HTTP_HEADER_NAME, "an HTTP header name: letters, digits and !#$%&'*+-.^_`|~"),
                        ),
                      value: z.string().check(z.minLength(1), z.maxLength(4096)),
                      type: z._default(z.enum(['Exact', 'RegularExpression']), 'Exact'),
                    }),
                  )
                  .check(z.minLength(1), z.maxLength(16)),
              ),
              method: z.optional(
                z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']),
              ),
            }),
          )
          .check(z.minLength(1), z.maxLength(8)),
      ),
      /**
       * Gateway API timeouts of the rule (Extended support: the gateway must implement them)
       * @default the implementation's
       */
      timeouts: z.optional(
        z.strictObject({
          /** the whole request, e.g. 30s; at least backendRequest */
          request: z.optional(
            z.string().check(z.regex(GATEWAY_DURATION, 'a Gateway API duration such as 30s, 1m or 1h30m')),
          ),
          /** one request from the gateway to a pod */
          backendRequest: z.optional(
            z.string().check(z.regex(GATEWAY_DURATION, 'a Gateway API duration such as 10s, 500ms or 1m')),
          ),
        }),
      ),
    }),
  ),
  /**
   * A Prometheus Operator ServiceMonitor that scrapes /api/v1/metrics on the Service's http port,
   * and a NetworkPolicy that admits the scrapers to port 8000.
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
   */
  serviceMonitor: z.optional(
    z.strictObject({
      /** labels the Prometheus selects monitors by: kube-prometheus-stack wants `release: <its release>` */
      labels: z._default(labels, {}),
      interval: z._default(
        z.string().check(z.regex(PROMETHEUS_DURATION, 'a Prometheus duration such as 30s or 1m30s')),
        '30s',
      ),
      /** at most `interval`: Prometheus refuses a longer timeout */
      scrapeTimeout: z._default(
        z.string().check(z.regex(PROMETHEUS_DURATION, 'a Prometheus duration such as 10s')),
        '10s',
      ),
      /**
       * Where the Prometheus pods run, for the NetworkPolicy.
       * @default every pod of the namespace `monitoring`
       */
      allowFrom: z._default(peers, [{ namespace: 'monitoring' }]),
    }),
  ),
  /**
   * /api/v1/metrics (Prometheus text, no authentication) at the edge. Private by default: the
   * route answers 404 for it (a rule with no backend) and the Ingress sends it to a Service port
   * with no endpoints (503). The probes and the ServiceMonitor reach it inside the cluster either way.
   */
  metrics: z.prefault(
    z.strictObject({
      /** true: the Ingress and the route serve it to anyone, like every other path */
      public: z._default(z.boolean(), false),
    }),
    {},
  ),
  /**
   * Background workers, by name: Deployments without a Service
   * (reviewpoint-backend-worker-<name>), hardened like the app, after the migration.
   * @default none
   */
  workers: z._default(z.record(dnsLabel, workerSchema), {}),
  /**
   * Cron jobs, by name: CronJobs (reviewpoint-backend-cron-<name>), hardened like the app.
   * @default none
   */
  cronJobs: z._default(z.record(dnsLabel, cronJobSchema), {}),
  /** how Argo CD and Flux find this environment's output: the delivery objects in dist/<env>/delivery/ */
  delivery: z.prefault(deliverySchema, {}),
  migration: z.strictObject({
    /** job: a Job that runs before the rollout (an Argo CD Sync hook, a Flux stage of its own); initContainer: in every app pod; none: run elsewhere */
    strategy: z.enum(['job', 'initContainer', 'none']),
    /** the shell flavour of the image (it has alembic) */
    image: z.optional(imageSchema),
    command: z._default(z.array(z.string()).check(z.minLength(1)), DEFAULT_MIGRATION_COMMAND),
    /** the shell image's user is a name; pin a numeric one */
    runAsUser: z._default(id, NONROOT_ID),
    runAsGroup: z._default(id, NONROOT_ID),
    resources: z.prefault(resourcesSchema, {}),
    backoffLimit: z._default(int(0, 10), 2),
    /** hard stop: the image's wait-for-database loop has no timeout of its own */
    activeDeadlineSeconds: z._default(int(30), 600),
    /**
     * How long each run waits for the database (pg_isready on the host and port of the database
     * URL) before the command; below activeDeadlineSeconds (a Job) or app.progressDeadlineSeconds
     * (an init container). 0: the command runs at once, without a shell
     * @default 120
     */
    waitForDatabaseSeconds: z._default(int(0, 3600), 120),
    ttlSecondsAfterFinished: z._default(int(0), 86400),
    /** opt-in for initContainer with more than one replica: alembic takes no lock, so replicas race */
    allowConcurrentInitContainers: z._default(z.boolean(), false),
    /** the Job's pods' node labels (strategy job only) @default app.nodeSelector */
    nodeSelector: z.optional(labels),
    /** the Job's pods' tolerations (strategy job only) @default app.tolerations */
    tolerations: z.optional(z.array(tolerationSchema)),
    /** the Job's pods' affinity (strategy job only) @default app.affinity */
    affinity: z.optional(affinitySchema),
  }),
});

type ParsedConfig = z.output<typeof configSchema>;

/** A validated, fully defaulted environment configuration. */
export type EnvironmentConfig = Omit<ParsedConfig, 'app'> & {
  /** the app; its command as given, or the default command for its trusted proxies */
  readonly app: ParsedConfig['app'] & { readonly command: string[] };
  /** the environment's name: the config file's base name */
  readonly name: string;
};
export type ImageConfig = z.output<typeof imageSchema>;
export type ResourcesConfig = z.output<typeof resourcesSchema>;
export type PeerConfig = z.output<typeof peerSchema>;
export type EgressRuleConfig = z.output<typeof egressRuleSchema>;
export type IngressConfig = NonNullable<z.output<typeof configSchema>['ingress']>;
export type AutoscalingConfig = NonNullable<z.output<typeof configSchema>['app']['autoscaling']>;
export type DeliveryConfig = z.output<typeof deliverySchema>;
export type ServiceMonitorConfig = NonNullable<z.output<typeof configSchema>['serviceMonitor']>;
export type ExternalSecretConfig = NonNullable<z.output<typeof configSchema>['secrets']['externalSecret']>;
export type RouteConfig = NonNullable<z.output<typeof configSchema>['route']>;
export type MetricsConfig = z.output<typeof configSchema>['metrics'];
export type WorkerConfig = z.output<typeof workerSchema>;
export type CronJobConfig = z.output<typeof cronJobSchema>;
