/**
 * The app: ServiceAccount, ConfigMap, Deployment, Service, and where the environment asks for
 * them, PodDisruptionBudget, HorizontalPodAutoscaler and Ingress.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { CONFIG_MAP_NAME, configMapData, secretEnv, UPLOAD_DIR, UPLOADS_VOLUME } from './app-env';
import { contentHash } from './determinism';
import { APP_PYTHON, type EnvironmentConfig } from './config';
import { hardenedContainer, imagePullSecrets, tmpVolume } from './container';
import { APP_NAME, HTTP_PORT, imageReference, recommendedLabels, selectorLabels } from './labels';
import { restrictedPodSecurityContext } from './security';

export interface BackendWorkloadProps {
  readonly config: EnvironmentConfig;
  /** init containers to run before the app, e.g. the migration */
  readonly initContainers?: readonly k8s.Container[];
}

/** Prometheus text with no auth, no feature flag and no database query: probes and scrapes */
export const METRICS_PATH = '/api/v1/metrics';

export class BackendWorkload extends Construct {
  constructor(scope: Construct, id: string, props: BackendWorkloadProps) {
    super(scope, id);
    const { config } = props;
    const app = config.app;
    // the version label only where the image runs: an image bump then changes the Deployment
    // alone, not every object of the app (a reviewer reads one object, not eight)
    const labels = recommendedLabels(config, 'api');
    const versioned = recommendedLabels(config, 'api', app.image);
    const selector = selectorLabels(config, 'api');
    const metadata = (name: string) => ({ name, namespace: config.namespace, labels });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(APP_NAME),
      // the backend never calls the Kubernetes API
      automountServiceAccountToken: false,
    });

    const data = configMapData(config);
    new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: metadata(CONFIG_MAP_NAME), data });

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
      labelSelector: { matchLabels: selector },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { ...metadata(APP_NAME), labels: versioned },
      spec: {
        // with an HPA the replica count is the HPA's: leaving it out keeps GitOps from fighting it
        replicas: app.autoscaling ? undefined : app.replicas ?? 1,
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: app.progressDeadlineSeconds,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(app.rollingUpdate.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(app.rollingUpdate.maxUnavailable),
          },
        },
        template: {
          metadata: {
            labels: versioned,
            annotations: { 'checksum/config': contentHash(data) },
          },
          spec: {
            serviceAccountName: APP_NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(app),
            terminationGracePeriodSeconds: app.terminationGracePeriodSeconds,
            priorityClassName: app.priorityClassName,
            imagePullSecrets: imagePullSecrets(config),
            topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
            initContainers: props.initContainers && props.initContainers.length > 0 ? [...props.initContainers] : undefined,
            containers: [container],
            volumes: [tmpVolume(), uploads],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: metadata(APP_NAME),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    const pdb = app.podDisruptionBudget;
    if (pdb) {
      const intOrString = (v: number | string) => (typeof v === 'number' ? k8s.IntOrString.fromNumber(v) : k8s.IntOrString.fromString(v));
      new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: metadata(APP_NAME),
        spec: {
          selector: { matchLabels: selector },
          minAvailable: pdb.minAvailable !== undefined ? intOrString(pdb.minAvailable) : undefined,
          maxUnavailable: pdb.maxUnavailable !== undefined ? intOrString(pdb.maxUnavailable) : undefined,
          // evict pods that never became ready, so a broken rollout cannot block a drain
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    if (app.autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata: metadata(APP_NAME),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: APP_NAME },
          minReplicas: app.autoscaling.minReplicas,
          maxReplicas: app.autoscaling.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: app.autoscaling.targetCPUUtilizationPercent } },
          }],
        },
      });
    }

    if (config.ingress) {
      const { host, className, tlsSecretName, annotations } = config.ingress;
      new k8s.KubeIngress(this, 'Ingress', {
        metadata: { ...metadata(APP_NAME), annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
        spec: {
          ingressClassName: className,
          tls: tlsSecretName ? [{ hosts: [host], secretName: tlsSecretName }] : undefined,
          rules: [{
            host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: APP_NAME, port: { name: 'http' } } } }] },
          }],
        },
      });
    }
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
