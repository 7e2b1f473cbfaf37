/**
 * One environment's chart: the Namespace and everything in it, from the environment's config.
 * The only place that turns an EnvironmentConfig into construct props (with backend.ts).
 */
import { type ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { secretKeys, type EnvironmentConfig } from '../config';
import {
  CronWorkload,
  ExternalSecret,
  HttpRoute,
  MigrationJob,
  NetworkPolicies,
  RestrictedNamespace,
  ServiceMonitor,
  VolumeClaim,
  WebApp,
  Worker,
} from '../constructs';
import { applyBeforeMigration, WAVE } from '../delivery/stages';
import {
  cronJobProps,
  jobUploads,
  migrationContainerProps,
  migrationInitContainer,
  migrationScheduling,
  networkProps,
  secretReloadAnnotations,
  uploadsClaimProps,
  webAppProps,
  workerProps,
} from './backend';
import {
  APP_NAME,
  edgeBlockedPaths,
  HTTP_PORT,
  instanceLabels,
  METRICS_PATH,
  MIGRATION_NAME,
  recommendedLabels,
  selectorLabels,
} from './labels';

export interface ReviewpointChartProps {
  readonly config: EnvironmentConfig;
}

export class ReviewpointChart extends Chart {
  constructor(scope: Construct, id: string, props: ReviewpointChartProps) {
    // no chart namespace: cdk8s would copy it onto the Namespace too, which is cluster-scoped
    // (each namespaced object names its namespace itself); no chart-wide labels either: each
    // object carries its own, and selectors stay explicit
    super(scope, id, { disableResourceNameHashes: true });
    const { config } = props;
    const labels = recommendedLabels(config, 'api');

    // the namespace also holds what this repository does not manage: the Secret, the TLS secret,
    // uploads volumes, the database in dev; the engines keep it when the app goes
    const namespace = new RestrictedNamespace(this, 'Namespace', {
      name: config.namespace,
      labels: instanceLabels(config),
    });

    const strategy = config.migration.strategy;
    const backend = new WebApp(
      this,
      'Backend',
      webAppProps(config, strategy === 'initContainer' ? [migrationInitContainer(config)] : undefined),
    );
    addAnnotations(backend.deployment, secretReloadAnnotations(config, 'app'));
    // in the app's stage with the pods that mount it: a claim of a WaitForFirstConsumer class binds
    // only once one of them is scheduled
    const claim = uploadsClaimProps(config);
    if (claim) new VolumeClaim(this, 'Uploads', claim);
    // in the app's stage, after the migration: the instance-wide egress policy selects them, and
    // no ingress allow does (their component is not the app's)
    for (const [name, w] of Object.entries(config.workers)) {
      const worker = new Worker(this, `Worker-${name}`, workerProps(config, name, w));
      if (w.backendEnv) addAnnotations(worker.deployment, secretReloadAnnotations(config, 'worker'));
    }
    for (const [name, j] of Object.entries(config.cronJobs))
      new CronWorkload(this, `CronJob-${name}`, cronJobProps(config, name, j));
    const es = config.secrets.externalSecret;
    const secrets =
      es &&
      new ExternalSecret(this, 'Secrets', {
        name: config.secrets.name,
        namespace: config.namespace,
        // every component reads the Secret it creates
        labels: instanceLabels(config),
        store: es.store,
        remoteKey: es.remoteKey,
        keys: secretKeys(config).map((key) => ({ secretKey: key, property: es.properties[key] })),
        refreshInterval: es.refreshInterval,
      });
    if (config.route)
      new HttpRoute(this, 'Route', {
        name: APP_NAME,
        namespace: config.namespace,
        labels,
        gateway: config.route.gateway,
        hostnames: config.route.hostnames,
        serviceName: APP_NAME,
        servicePort: HTTP_PORT,
        matches: config.route.matches,
        timeouts: config.route.timeouts,
        blockedPaths: edgeBlockedPaths(config),
      });
    if (config.serviceMonitor)
      new ServiceMonitor(this, 'Monitoring', {
        name: APP_NAME,
        namespace: config.namespace,
        // the Prometheus's serviceMonitorSelector matches these; ours cannot be overridden
        labels,
        prometheusLabels: config.serviceMonitor.labels,
        serviceSelector: selectorLabels(config, 'api'),
        path: METRICS_PATH,
        interval: config.serviceMonitor.interval,
        scrapeTimeout: config.serviceMonitor.scrapeTimeout,
      });
    const network = new NetworkPolicies(this, 'Network', networkProps(config));
    if (strategy === 'job') {
      const m = config.migration;
      new MigrationJob(this, 'Migration', {
        serviceAccountName: MIGRATION_NAME,
        jobNamePrefix: `${APP_NAME}-migrate`,
        namespace: config.namespace,
        // the version label on the Job and its pods only: they run the image, its ServiceAccount does not
        labels: recommendedLabels(config, 'migration'),
        podLabels: recommendedLabels(config, 'migration', m.image),
        container: migrationContainerProps(config, 'inline'),
        volumes: [jobUploads()],
        imagePullSecrets: config.imagePullSecrets,
        backoffLimit: m.backoffLimit,
        activeDeadlineSeconds: m.activeDeadlineSeconds,
        ttlSecondsAfterFinished: m.ttlSecondsAfterFinished,
        ...migrationScheduling(config),
        serviceAccountSyncWave: WAVE.beforeMigration,
        syncWave: WAVE.migration,
      });
      // the Job's pod needs its namespace and, under a default-deny policy, its egress allowed
      applyBeforeMigration(namespace, ...network.policies);
      // and the Secret, which an ExternalSecret creates only once the operator has read the store
      if (secrets) applyBeforeMigration(secrets.externalSecret);
    }
  }
}

function addAnnotations(o: ApiObject, annotations: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(annotations)) o.metadata.addAnnotation(key, value);
}
