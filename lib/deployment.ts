/**
 * The app's Deployment: the hardened uvicorn container, its probes, a drain before it stops, and
 * pods spread over zones and nodes.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { CONFIG_MAP_NAME, secretEnv, UPLOAD_DIR, UPLOADS_VOLUME } from './app-env';
import { APP_PYTHON, type EnvironmentConfig } from './config';
import { hardenedContainer, imagePullSecrets, tmpVolume } from './container';
import { APP_NAME, HTTP_PORT, imageReference } from './labels';
import { restrictedPodSecurityContext } from './security';

/** Prometheus text with no auth, no feature flag and no database query: probes and scrapes */
export const METRICS_PATH = '/api/v1/metrics';

export interface BackendDeploymentProps {
  /** the environment: image, command, replicas, resources, identity, uploads, shutdown */
  readonly config: EnvironmentConfig;
  /** labels of the Deployment and its pods (the version label included) */
  readonly labels: Readonly<Record<string, string>>;
  /** the labels that select the pods: stable for the life of the Deployment */
  readonly selector: Readonly<Record<string, string>>;
  /** a hash of the settings the pods read, so that a change rolls them */
  readonly settingsHash: string;
  /** init containers to run before the app, e.g. the migration @default none */
  readonly initContainers?: readonly k8s.Container[];
}

export class BackendDeployment extends Construct {
  constructor(scope: Construct, id: string, props: BackendDeploymentProps) {
    super(scope, id);
    const { config, labels, selector } = props;
    const app = config.app;

    const uploads: k8s.Volume = app.uploads.claimName
      ? { name: UPLOADS_VOLUME, persistentVolumeClaim: { claimName: app.uploads.claimName } }
      : { name: UPLOADS_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(app.uploads.sizeLimit) } };

    const probe = (p: Omit<k8s.Probe, 'httpGet'>): k8s.Probe => ({
      // /api/v1/metrics needs no API key and no feature flag; /api/v1/health needs both
      httpGet: { path: METRICS_PATH, port: k8s.IntOrString.fromString('http'), scheme: 'HTTP' },
      ...p,
    });

    const container = hardenedContainer({
      name: 'api',
      image: imageReference(app.image),
      command: app.command,
      args: app.args,
      runAsUser: app.runAsUser,
      runAsGroup: app.runAsGroup,
      resources: app.resources,
      ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
      envFrom: [{ configMapRef: { name: CONFIG_MAP_NAME } }],
      env: secretEnv(config),
      volumeMounts: [{ name: UPLOADS_VOLUME, mountPath: UPLOAD_DIR }],
      emptyDirSizes: app.uploads.claimName ? [] : [app.uploads.sizeLimit],
      // startup validates config and runs SELECT 1; give it up to 3 minutes
      startupProbe: probe({ periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 36 }),
      readinessProbe: probe({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 }),
      livenessProbe: probe({ periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 }),
      lifecycle: preStopDelay(app.preStopSeconds),
    });

    const spread = (topologyKey: string): k8s.TopologySpreadConstraint => ({
      topologyKey,
      maxSkew: 1,
      // ScheduleAnyway: a small or single-zone cluster must still run the app
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...selector } },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: APP_NAME, namespace: config.namespace, labels: { ...labels } },
      spec: {
        // with an HPA the replica count is the HPA's: leaving it out keeps GitOps from fighting it
        replicas: app.autoscaling ? undefined : (app.replicas ?? 1),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: app.progressDeadlineSeconds,
        selector: { matchLabels: { ...selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(app.rollingUpdate.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(app.rollingUpdate.maxUnavailable),
          },
        },
        template: {
          metadata: { labels: { ...labels }, annotations: { 'checksum/config': props.settingsHash } },
          spec: {
            serviceAccountName: APP_NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(app),
            terminationGracePeriodSeconds: app.terminationGracePeriodSeconds,
            priorityClassName: app.priorityClassName,
            imagePullSecrets: imagePullSecrets(config),
            topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
            initContainers:
              props.initContainers && props.initContainers.length > 0 ? [...props.initContainers] : undefined,
            containers: [container],
            volumes: [tmpVolume(), uploads],
          },
        },
      },
    });
  }
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
