/**
 * The ReViewPoint backend in terms of the construct library: from an environment's config to the
 * props of the web app, the migration and the network policies. The facts about the backend (its
 * name, port 8000, the metrics path the probes use, the settings module that reads REVIEWPOINT_*
 * and creates the upload folder) are here and in app-env.ts, nowhere in lib/constructs/.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { CONFIG_MAP_NAME, configMapData, DB_URL_ENV, secretEnv, UPLOAD_DIR, UPLOADS_VOLUME } from '../app-env';
import {
  APP_PYTHON,
  dnsPeers,
  type CronJobConfig,
  type EnvironmentConfig,
  type PeerConfig,
  type RouteConfig,
  type WorkerConfig,
} from '../config';
import {
  DEFAULT_TMP_SIZE,
  RELOADER_SECRET_RELOAD,
  emptyDirSizes,
  hardenedContainer,
  type EgressAllow,
  type EgressPolicy,
  type IngressAllow,
  type NetworkPoliciesProps,
  type CronWorkloadProps,
  type SchedulingProps,
  type VolumeClaimProps,
  type VolumeProps,
  type WebAppProps,
  type WorkerProps,
} from '../constructs';
import { envSources } from '../config/pod-rules';
import { byCodeUnit, contentHash } from '../determinism';
import { imageReference } from '../image-reference';
import { quantityValue } from '../quantity';
import { acceptedBodySize, mebibytes, tmpBytesNeeded, UPLOADS_CLAIM, uploadsStorage } from './uploads';
import {
  APP_NAME,
  cronJobName,
  edgeBlockedPaths,
  HTTP_PORT,
  instanceLabels,
  METRICS_PATH,
  recommendedLabels,
  selectorLabels,
  workerName,
} from './labels';

/** where the image keeps alembic.ini and the package */
const WORKING_DIR = '/app';
/** the Job's upload folder only has to exist while the settings module is imported */
const JOB_UPLOADS_SIZE = '16Mi';

/** the uploads volume of the app's pods: an emptyDir, the claim the output creates, or an existing one */
function appUploads(config: EnvironmentConfig): VolumeProps {
  const storage = uploadsStorage(config);
  return storage.kind === 'emptyDir'
    ? { name: UPLOADS_VOLUME, mountPath: UPLOAD_DIR, sizeLimit: storage.sizeLimit }
    : { name: UPLOADS_VOLUME, mountPath: UPLOAD_DIR, claimName: storage.claimName };
}

/** the claim app.uploads.volume asks for, if any: in the app's stage, with the pods that bind it */
export function uploadsClaimProps(config: EnvironmentConfig): VolumeClaimProps | undefined {
  const volume = config.app.uploads.volume;
  if (!volume) return undefined;
  return {
    name: UPLOADS_CLAIM,
    namespace: config.namespace,
    labels: recommendedLabels(config, 'api'),
    size: volume.size,
    accessMode: volume.accessMode,
    storageClassName: volume.storageClassName,
  };
}

/**
 * The sizeLimit of the app's /tmp: app.tmpSizeLimit, or what the accepted body size and the
 * concurrent uploads need (uploads.ts), never below the library's default
 */
export function appTmpSizeLimit(config: EnvironmentConfig): string {
  if (config.app.tmpSizeLimit !== undefined) return config.app.tmpSizeLimit;
  const body = acceptedBodySize(config);
  if (body === undefined || body.size === 'unlimited') return DEFAULT_TMP_SIZE;
  const needed = tmpBytesNeeded(body.size, config.app.uploads.concurrent);
  return needed > quantityValue(DEFAULT_TMP_SIZE) ? mebibytes(needed) : DEFAULT_TMP_SIZE;
}

export function webAppProps(config: EnvironmentConfig, initContainers?: readonly k8s.Container[]): WebAppProps {
  const app = config.app;
  // the version label only where the image runs: an image bump then changes the Deployment
  // alone, not every object of the app (a reviewer reads one object, not eight)
  return {
    name: APP_NAME,
    namespace: config.namespace,
    labels: recommendedLabels(config, 'api'),
    selector: selectorLabels(config, 'api'),
    podLabels: recommendedLabels(config, 'api', app.image),
    container: {
      name: 'api',
      image: imageReference(app.image),
      command: app.command,
      args: app.args,
      runAsUser: app.runAsUser,
      runAsGroup: app.runAsGroup,
      resources: app.resources,
      env: [...secretEnv(config), ...appEnv(config)],
      envFrom: app.envFrom,
      workingDir: WORKING_DIR,
      lifecycle: preStopDelay(app.preStopSeconds),
      // Starlette spools each uploaded file over 1 MiB here: sized to the uploads a pod takes at once
      tmpSizeLimit: appTmpSizeLimit(config),
    },
    port: HTTP_PORT,
    // /api/v1/metrics needs no API key and no feature flag; /api/v1/health needs both. The
    // default start budget (3 minutes) covers startup's config validation and SELECT 1
    probes: { ...app.probes, path: app.probes.path ?? METRICS_PATH },
    // Starlette spools uploads to /tmp; the settings module creates the upload folder
    volumes: [appUploads(config)],
    settings: configMapData(config),
    configMapName: CONFIG_MAP_NAME,
    replicas: app.replicas,
    autoscaling: app.autoscaling,
    podDisruptionBudget: app.podDisruptionBudget,
    ingress: config.ingress && {
      host: config.ingress.host,
      hosts: config.ingress.hosts,
      className: config.ingress.className,
      tlsSecretName: config.ingress.tlsSecretName,
      annotations: config.ingress.annotations,
      blockedPaths: edgeBlockedPaths(config),
    },
    progressDeadlineSeconds: app.progressDeadlineSeconds,
    rollingUpdate: app.rollingUpdate,
    terminationGracePeriodSeconds: app.terminationGracePeriodSeconds,
    priorityClassName: app.priorityClassName,
    imagePullSecrets: config.imagePullSecrets,
    initContainers,
    podMetadata: { labels: app.podLabels, annotations: app.podAnnotations },
    serviceAccountAnnotations: app.serviceAccount.annotations,
    nodeSelector: app.nodeSelector,
    tolerations: app.tolerations,
    affinity: app.affinity,
  };
}

/** app.env as Kubernetes takes it: a resource's divisor is a quantity */
function appEnv(config: EnvironmentConfig): k8s.EnvVar[] {
  return config.app.env.map((e) => {
    const ref = e.valueFrom?.resourceFieldRef;
    if (!ref?.divisor) return e as k8s.EnvVar;
    return { ...e, valueFrom: { resourceFieldRef: { ...ref, divisor: k8s.Quantity.fromString(ref.divisor) } } };
  });
}

/** where the migration Job's pods run: where the app's do, unless the migration says otherwise */
export function migrationScheduling(config: EnvironmentConfig): SchedulingProps {
  const { app, migration } = config;
  return {
    nodeSelector: migration.nodeSelector ?? app.nodeSelector,
    tolerations: migration.tolerations ?? app.tolerations,
    affinity: migration.affinity ?? app.affinity,
  };
}

/**
 * Where the migration reads its settings from. An init container runs in the app's pod, applied
 * with the app's ConfigMap: `configMap`. A Job runs before that ConfigMap is applied (a first
 * sync has none, a later one the previous settings), so it carries the same settings itself:
 * `inline`, from the same function that fills the ConfigMap.
 */
export type SettingsSource = 'configMap' | 'inline';

/** the migration container's props, the same for both strategies but for where its settings come from */
export function migrationContainerProps(config: EnvironmentConfig, settings: SettingsSource) {
  const m = config.migration;
  if (!m.image) throw new Error(`migration image missing in environment "${config.name}"`);
  return {
    name: 'migrate',
    image: imageReference(m.image),
    // explicit command: skips the image entrypoint, whose wait-for-database loop has no timeout,
    // and waits with a bound of its own instead
    command: waitForDatabase(m.waitForDatabaseSeconds, m.command),
    runAsUser: m.runAsUser,
    runAsGroup: m.runAsGroup,
    resources: m.resources,
    // alembic imports the app's settings module, which validates the same variables: app.env
    // and app.envFrom too. The settings come last among the sources: they win over a name in
    // the user's Secrets and ConfigMaps
    envFrom: [
      ...config.app.envFrom,
      ...(settings === 'configMap' ? [{ configMapRef: { name: CONFIG_MAP_NAME } }] : []),
    ],
    env: [
      ...(settings === 'inline' ? Object.entries(configMapData(config)).map(([name, value]) => ({ name, value })) : []),
      ...secretEnv(config),
      ...appEnv(config),
    ],
    workingDir: WORKING_DIR,
  };
}

/**
 * `command`, run once the database accepts connections, or exit 1 after `seconds`: the shell
 * image's own wait (docker-entrypoint.sh) has no bound, and an explicit command skips it anyway.
 * The host and port come from the database URL, which names its port (scheme off, then
 * credentials up to the last "@", then host:port up to the first "/"; brackets off an IPv6
 * host); the URL itself, password included, is never printed. The tolerance this gives a blip:
 * a database down when a run starts is waited out for `seconds`; one that drops during the
 * migration fails the run, and each retry (backoffLimit, 10 s, 20 s, 40 s apart under the Job's
 * backoff) waits again, all within activeDeadlineSeconds. 0: the command as it is, no shell.
 */
export function waitForDatabase(seconds: number, command: readonly string[]): string[] {
  if (seconds === 0) return [...command];
  const script = [
    `rest=\${${DB_URL_ENV}#*://}; rest=\${rest##*@}; hostport=\${rest%%/*}`,
    'host=${hostport%:*}; port=${hostport##*:}; host=${host#\\[}; host=${host%\\]}',
    `deadline=$(( $(date +%s) + ${seconds} ))`,
    'until pg_isready -q -h "$host" -p "$port"; do',
    `  if [ "$(date +%s)" -ge "$deadline" ]; then echo "database $host:$port not ready after ${seconds} s" >&2; exit 1; fi`,
    '  sleep 2',
    'done',
    'exec "$@"',
  ].join('\n');
  // "$0" names the script in the shell's messages; "$@" is the command, word by word
  return ['/bin/sh', '-c', script, 'wait-for-database', ...command];
}

/** the migration as an init container of the app's pods, which mount the app's uploads volume */
export function migrationInitContainer(config: EnvironmentConfig): k8s.Container {
  const uploads = appUploads(config);
  return hardenedContainer({
    ...migrationContainerProps(config, 'configMap'),
    // importing the settings module creates the upload folder: the root filesystem is read-only
    volumeMounts: [{ name: uploads.name, mountPath: uploads.mountPath }],
    emptyDirSizes: emptyDirSizes([uploads]),
    // it mounts the pod's /tmp too
    tmpSizeLimit: appTmpSizeLimit(config),
  });
}

/** the migration Job's own uploads volume: the folder only has to exist during the import */
export function jobUploads(): VolumeProps {
  return { name: UPLOADS_VOLUME, mountPath: UPLOAD_DIR, sizeLimit: JOB_UPLOADS_SIZE };
}

/**
 * Keep serving for `seconds` after the stop request, while endpoints, ingress controllers and
 * gateways stop routing to the pod; uvicorn gets SIGTERM only then. The distroless image has no
 * shell and no sleep, and lifecycle.preStop.sleep is newer than 1.28: its Python sleeps instead.
 */
export function preStopDelay(seconds: number): k8s.Lifecycle | undefined {
  if (seconds === 0) return undefined;
  return { preStop: { exec: { command: [APP_PYTHON, '-c', `import time; time.sleep(${seconds})`] } } };
}

/** the gateway's proxies: where the config says, or every pod of the Gateway's namespace */
export function gatewayPeers(route: RouteConfig): PeerConfig[] {
  return route.allowFrom ?? [{ namespace: route.gateway.namespace }];
}

/** the NetworkPolicy of top-level `egress`: the app's pods only */
export const APP_EGRESS_NAME = `${APP_NAME}-app-egress`;

/**
 * Deny all, then: the app's port from the ingress controller, the gateway's proxies and the
 * scrapers; egress from every pod of the instance (app and migration) to DNS and the database;
 * and the app's pods alone to what top-level `egress` lists (the migration needs no more).
 */
export function networkProps(config: EnvironmentConfig): NetworkPoliciesProps {
  const api = selectorLabels(config, 'api');
  // app and migration pods: every pod of this instance, whatever its component
  const { 'app.kubernetes.io/component': _component, ...backend } = api;
  const callers: Array<IngressAllow | undefined> = [
    config.allowIngressFrom && { id: 'AllowIngress', name: `${APP_NAME}-ingress`, from: config.allowIngressFrom },
    config.route && { id: 'AllowGateway', name: `${APP_NAME}-from-gateway`, from: gatewayPeers(config.route) },
    config.serviceMonitor?.allowFrom && {
      id: 'AllowMonitoring',
      name: `${APP_NAME}-from-monitoring`,
      from: config.serviceMonitor.allowFrom,
    },
  ];
  const egress: EgressAllow[] = [
    {
      to: dnsPeers(config),
      ports: (['UDP', 'TCP'] as const).map((protocol) => ({ protocol, port: config.dns.port })),
      peerIngress: { id: 'AllowDnsIngress', name: `${APP_NAME}-to-dns` },
    },
    {
      to: config.database.egress,
      ports: [{ protocol: 'TCP', port: config.database.port }],
      peerIngress: { id: 'AllowDatabaseIngress', name: `${APP_NAME}-to-database` },
    },
  ];
  return {
    namespace: config.namespace,
    // the default deny and the egress policies cover every pod of the instance, not one component
    labels: instanceLabels(config),
    serverSelector: api,
    port: HTTP_PORT,
    allowIngress: callers.filter((c): c is IngressAllow => c !== undefined),
    egressSelector: backend,
    egressName: `${APP_NAME}-egress`,
    egress,
    egressPolicies: egressPolicies(config),
  };
}

/**
 * Top-level egress, one policy per workload it is for (the app's, a worker's, a cron job's), in
 * the order the config names them: each policy reads as that workload's further destinations.
 */
function egressPolicies(config: EnvironmentConfig): EgressPolicy[] | undefined {
  const targets = [...new Set(config.egress.flatMap((e) => e.appliesTo))];
  if (targets.length === 0) return undefined;
  return targets.map((target) => {
    const [kind, name] = target.split('.') as ['app' | 'workers' | 'cronJobs', string];
    const [id, policyName, component] =
      kind === 'app'
        ? (['AllowAppEgress', APP_EGRESS_NAME, 'api'] as const)
        : kind === 'workers'
          ? ([`AllowWorkerEgress-${name}`, `${workerName(name)}-egress`, `worker-${name}`] as const)
          : ([`AllowCronJobEgress-${name}`, `${cronJobName(name)}-egress`, `cron-${name}`] as const);
    return {
      id,
      name: policyName,
      selector: selectorLabels(config, component),
      egress: config.egress.filter((e) => e.appliesTo.includes(target)).map(({ to, ports }) => ({ to, ports })),
    };
  });
}

/**
 * The container of a worker or a cron job: the app's image, identity and working directory unless
 * it names its own; with backendEnv, the app's settings (the ConfigMap) and its Secret's variables,
 * and an upload folder of its own, which importing the settings module creates.
 */
function secondWorkloadContainer(config: EnvironmentConfig, name: string, w: WorkerConfig | CronJobConfig) {
  const literal = Object.entries(w.env)
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([envName, value]) => ({ name: envName, value }));
  const env = [...(w.backendEnv ? secretEnv(config) : []), ...literal];
  return {
    container: {
      name,
      image: imageReference(w.image ?? config.app.image),
      command: w.command,
      args: w.args,
      runAsUser: w.runAsUser ?? config.app.runAsUser,
      runAsGroup: w.runAsGroup ?? config.app.runAsGroup,
      resources: w.resources,
      env: env.length > 0 ? env : undefined,
      envFrom: w.backendEnv ? [{ configMapRef: { name: CONFIG_MAP_NAME } }] : undefined,
      workingDir: w.image ? undefined : WORKING_DIR,
    },
    volumes: w.backendEnv ? [jobUploads()] : [],
  };
}

/** a worker: a Deployment without a Service, its pods apart from the app's by their component label */
export function workerProps(config: EnvironmentConfig, name: string, w: WorkerConfig): WorkerProps {
  const component = `worker-${name}` as const;
  const { container, volumes } = secondWorkloadContainer(config, 'worker', w);
  return {
    name: workerName(name),
    namespace: config.namespace,
    labels: recommendedLabels(config, component),
    selector: selectorLabels(config, component),
    podLabels: recommendedLabels(config, component, w.image ?? config.app.image),
    // Job pods read the ConfigMap when they start; a worker's pods roll when it changes, as the app's
    podAnnotations: w.backendEnv ? { 'checksum/config': contentHash(configMapData(config)) } : undefined,
    container,
    healthCommand: w.healthCommand,
    healthPeriodSeconds: w.healthPeriodSeconds,
    volumes,
    replicas: w.replicas,
    autoscaling: w.autoscaling,
    podDisruptionBudget: w.podDisruptionBudget,
    terminationGracePeriodSeconds: w.terminationGracePeriodSeconds,
    imagePullSecrets: config.imagePullSecrets,
  };
}

/** a cron job: a CronJob whose Jobs run one at a time unless it says otherwise */
export function cronJobProps(config: EnvironmentConfig, name: string, j: CronJobConfig): CronWorkloadProps {
  const component = `cron-${name}` as const;
  const { container, volumes } = secondWorkloadContainer(config, 'job', j);
  return {
    name: cronJobName(name),
    namespace: config.namespace,
    labels: recommendedLabels(config, component),
    podLabels: recommendedLabels(config, component, j.image ?? config.app.image),
    schedule: j.schedule,
    timeZone: j.timeZone,
    concurrencyPolicy: j.concurrencyPolicy,
    startingDeadlineSeconds: j.startingDeadlineSeconds,
    activeDeadlineSeconds: j.activeDeadlineSeconds,
    backoffLimit: j.backoffLimit,
    successfulJobsHistoryLimit: j.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: j.failedJobsHistoryLimit,
    container,
    volumes,
    imagePullSecrets: config.imagePullSecrets,
  };
}

/**
 * The annotations that have a reloader roll a Deployment's pods when a Secret its env reads
 * changes (secrets.reload): the config's Secret, and for the app the Secrets of app.env and
 * app.envFrom. None without secrets.reload: a rotation then waits for the pods' next start.
 */
export function secretReloadAnnotations(config: EnvironmentConfig, workload: 'app' | 'worker'): Record<string, string> {
  if (config.secrets.reload !== 'stakater') return {};
  const own =
    workload === 'app'
      ? envSources(config)
          .filter((s) => s.kind === 'Secret')
          .map((s) => s.name)
      : [];
  const names = [config.secrets.name, ...[...new Set(own)].filter((n) => n !== config.secrets.name).sort(byCodeUnit)];
  return { [RELOADER_SECRET_RELOAD]: names.join(',') };
}
