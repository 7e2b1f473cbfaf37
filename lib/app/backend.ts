/**
 * The ReViewPoint backend in terms of the construct library: from an environment's config to the
 * props of the web app, the migration and the network policies. The facts about the backend (its
 * name, port 8000, the metrics path the probes use, the settings module that reads REVIEWPOINT_*
 * and creates the upload folder) are here and in app-env.ts, nowhere in lib/constructs/.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { CONFIG_MAP_NAME, configMapData, secretEnv, UPLOAD_DIR, UPLOADS_VOLUME } from '../app-env';
import { APP_PYTHON, type EnvironmentConfig, type PeerConfig, type RouteConfig } from '../config';
import {
  emptyDirSizes,
  hardenedContainer,
  type EgressAllow,
  type IngressAllow,
  type NetworkPoliciesProps,
  type VolumeProps,
  type WebAppProps,
} from '../constructs';
import { imageReference } from '../image-reference';
import { APP_NAME, HTTP_PORT, METRICS_PATH, recommendedLabels, selectorLabels } from './labels';

/** where the image keeps alembic.ini and the package */
const WORKING_DIR = '/app';
/** the Job's upload folder only has to exist while the settings module is imported */
const JOB_UPLOADS_SIZE = '16Mi';

/** the uploads volume of the app's pods: an emptyDir, or the configured claim */
function appUploads(config: EnvironmentConfig): VolumeProps {
  const { uploads } = config.app;
  return { name: UPLOADS_VOLUME, mountPath: UPLOAD_DIR, claimName: uploads.claimName, sizeLimit: uploads.sizeLimit };
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
      env: secretEnv(config),
      workingDir: WORKING_DIR,
      lifecycle: preStopDelay(app.preStopSeconds),
    },
    port: HTTP_PORT,
    // /api/v1/metrics needs no API key and no feature flag; /api/v1/health needs both. The
    // default start budget (3 minutes) covers startup's config validation and SELECT 1
    probes: { path: METRICS_PATH },
    // Starlette spools uploads to /tmp; the settings module creates the upload folder
    volumes: [appUploads(config)],
    settings: configMapData(config),
    configMapName: CONFIG_MAP_NAME,
    replicas: app.replicas,
    autoscaling: app.autoscaling,
    podDisruptionBudget: app.podDisruptionBudget,
    ingress: config.ingress,
    progressDeadlineSeconds: app.progressDeadlineSeconds,
    rollingUpdate: app.rollingUpdate,
    terminationGracePeriodSeconds: app.terminationGracePeriodSeconds,
    priorityClassName: app.priorityClassName,
    imagePullSecrets: config.imagePullSecrets,
    initContainers,
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
    // explicit command: skips the image entrypoint, whose wait-for-database loop has no timeout
    command: m.command,
    runAsUser: m.runAsUser,
    runAsGroup: m.runAsGroup,
    resources: m.resources,
    // alembic imports the app's settings module, which validates the same variables
    envFrom: settings === 'configMap' ? [{ configMapRef: { name: CONFIG_MAP_NAME } }] : undefined,
    env: [
      ...(settings === 'inline' ? Object.entries(configMapData(config)).map(([name, value]) => ({ name, value })) : []),
      ...secretEnv(config),
    ],
    workingDir: WORKING_DIR,
  };
}

/** the migration as an init container of the app's pods, which mount the app's uploads volume */
export function migrationInitContainer(config: EnvironmentConfig): k8s.Container {
  const uploads = appUploads(config);
  return hardenedContainer({
    ...migrationContainerProps(config, 'configMap'),
    // importing the settings module creates the upload folder: the root filesystem is read-only
    volumeMounts: [{ name: uploads.name, mountPath: uploads.mountPath }],
    emptyDirSizes: emptyDirSizes([uploads]),
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
export function gatewayPeer(route: RouteConfig): PeerConfig {
  return route.allowFrom ?? { namespace: route.gateway.namespace };
}

/**
 * Deny all, then: the app's port from the ingress controller, the gateway's proxies and the
 * scrapers; egress from every pod of the instance (app and migration) to DNS and the database.
 */
export function networkProps(config: EnvironmentConfig): NetworkPoliciesProps {
  const api = selectorLabels(config, 'api');
  // app and migration pods: every pod of this instance, whatever its component
  const { 'app.kubernetes.io/component': _component, ...backend } = api;
  const callers: Array<IngressAllow | undefined> = [
    config.allowIngressFrom && { id: 'AllowIngress', name: `${APP_NAME}-ingress`, from: config.allowIngressFrom },
    config.route && { id: 'AllowGateway', name: `${APP_NAME}-from-gateway`, from: gatewayPeer(config.route) },
    config.serviceMonitor?.allowFrom && {
      id: 'AllowMonitoring',
      name: `${APP_NAME}-from-monitoring`,
      from: config.serviceMonitor.allowFrom,
    },
  ];
  const egress: EgressAllow[] = [
    {
      to: { namespace: config.dns.namespace, podLabels: config.dns.podLabels },
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
    labels: recommendedLabels(config, 'api'),
    serverSelector: api,
    port: HTTP_PORT,
    allowIngress: callers.filter((c): c is IngressAllow => c !== undefined),
    egressSelector: backend,
    egressName: `${APP_NAME}-egress`,
    egress,
  };
}
