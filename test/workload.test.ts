import { synthesizeObjects } from '../lib/render';
import { verifyManifests } from '../lib/verify';
import * as z from 'zod/mini';
import { configSchema } from '../lib/config';
import { configFrom, DIGEST_A, DIGEST_B } from './helpers';

const DIGEST_C = `sha256:${'c'.repeat(64)}`;

/**
 * A production config that sets every field, choosing one side where two exclude each other
 * (autoscaling over replicas, a claim over an emptyDir for uploads, a CIDR for one peer and pods
 * for the other), so that fields no committed environment uses are synthesized and checked too.
 */
function everyField(): Record<string, any> {
  return {
    namespace: 'rp-full',
    production: true,
    app: {
      image: { repository: 'registry.example.com/rp/backend', tag: '2.0.0', digest: DIGEST_A },
      command: ['/app/.venv/bin/python', '-m', 'uvicorn', 'src.main:app'],
      args: ['--host', '0.0.0.0', '--port', '8000', '--proxy-headers'],
      autoscaling: {
        minReplicas: 2,
        maxReplicas: 4,
        targetCPUUtilizationPercent: 60,
        targetMemoryUtilizationPercent: 80,
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
          },
          scaleDown: {
            stabilizationWindowSeconds: 600,
            selectPolicy: 'Min',
            policies: [{ type: 'Percent', value: 50, periodSeconds: 120 }],
          },
        },
      },
      resources: { cpuRequest: '200m', memoryRequest: '320Mi', memoryLimit: '640Mi', cpuLimit: '1500m' },
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      podDisruptionBudget: { maxUnavailable: 1 },
      preStopSeconds: 15,
      terminationGracePeriodSeconds: 45,
      progressDeadlineSeconds: 300,
      priorityClassName: 'business-critical',
      runAsUser: 10001,
      runAsGroup: 10002,
      tmpSizeLimit: '512Mi',
      maxBodySize: '32m',
      uploads: { claimName: 'reviewpoint-uploads', accessMode: 'ReadWriteMany', concurrent: 3, disposable: false },
      podAnnotations: { 'sidecar.istio.io/inject': 'true' },
      podLabels: { team: 'reviews' },
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/reviewpoint' } },
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'pool', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'Exists' }] },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['spot'] }] } },
          ],
        },
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              podAffinityTerm: {
                topologyKey: 'topology.kubernetes.io/zone',
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgresql' } },
              },
            },
          ],
          requiredDuringSchedulingIgnoredDuringExecution: [],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['reviews'] }] },
            },
          ],
          preferredDuringSchedulingIgnoredDuringExecution: [],
        },
      },
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } },
        { name: 'OTEL_ENDPOINT', valueFrom: { configMapKeyRef: { name: 'otel', key: 'endpoint' } } },
        { name: 'MEMORY_LIMIT_MIB', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'TZ', value: 'UTC' },
      ],
      envFrom: [{ prefix: 'OIDC_', secretRef: { name: 'oidc' } }, { configMapRef: { name: 'feature-flags' } }],
      probes: {
        path: '/api/v1/metrics',
        port: 'http',
        startup: {
          path: '/api/v1/metrics',
          periodSeconds: 10,
          timeoutSeconds: 2,
          failureThreshold: 30,
          initialDelaySeconds: 5,
        },
        readiness: {
          path: '/api/v1/metrics',
          periodSeconds: 5,
          timeoutSeconds: 2,
          failureThreshold: 2,
          successThreshold: 2,
          initialDelaySeconds: 1,
        },
        liveness: {
          path: '/api/v1/metrics',
          periodSeconds: 30,
          timeoutSeconds: 4,
          failureThreshold: 4,
          initialDelaySeconds: 0,
        },
      },
    },
    settings: {
      environment: 'prod',
      logLevel: 'WARNING',
      allowedOrigins: ['https://app.example.com'],
      features: ['health:read'],
      authEnabled: true,
      apiKeyEnabled: false,
      extraEnv: { FORWARDED_ALLOW_IPS: '10.0.0.0/8' },
    },
    secrets: {
      name: 'rp-secrets',
      dbUrlKey: 'database-url',
      jwtSecretKey: 'jwt',
      apiKeyKey: 'key',
      reload: 'stakater',
      externalSecret: {
        store: { name: 'vault', kind: 'SecretStore' },
        remoteKey: 'rp/full',
        properties: { jwt: 'jwt-secret' },
        refreshInterval: '15m',
      },
    },
    database: {
      port: 6432,
      maxConnections: 400,
      reservedConnections: 5,
      egress: { namespace: 'databases', podLabels: { app: 'pg' } },
    },
    dns: { namespace: 'dns-system', podLabels: { app: 'coredns' }, port: 5353 },
    imagePullSecrets: ['registry-credentials'],
    allowIngressFrom: { cidr: '10.20.0.0/16', except: ['10.20.99.0/24'] },
    egress: [
      {
        to: [
          { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] },
          { namespace: 'observability', podLabels: { app: 'otel-collector' } },
        ],
        ports: [{ port: 587, protocol: 'TCP' }],
        appliesTo: ['app', 'workers.mailer'],
      },
    ],
    ingress: {
      hosts: [{ host: 'api.example.com', paths: [{ path: '/api', pathType: 'Prefix' }] }],
      className: 'nginx',
      tlsSecretName: 'api-tls',
      annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '64m' },
    },
    route: {
      gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' },
      hostnames: ['api.example.com'],
      allowFrom: { namespace: 'envoy-gateway-system' },
      matches: [
        {
          path: { type: 'PathPrefix', value: '/api' },
          headers: [{ name: 'x-tenant', value: 'a', type: 'Exact' }],
          method: 'GET',
        },
      ],
      timeouts: { request: '60s', backendRequest: '30s' },
    },
    serviceMonitor: {
      labels: { release: 'prometheus' },
      interval: '1m',
      scrapeTimeout: '20s',
      allowFrom: { namespace: 'observability' },
    },
    metrics: { public: true },
    workers: {
      // the app's image and settings, autoscaled
      mailer: {
        command: ['/app/.venv/bin/python', '-m', 'src.workers.mailer'],
        args: ['--queue', 'mail'],
        autoscaling: { minReplicas: 2, maxReplicas: 3, targetCPUUtilizationPercent: 80 },
        podDisruptionBudget: { maxUnavailable: 1 },
        resources: { cpuRequest: '50m', memoryRequest: '128Mi', memoryLimit: '256Mi', cpuLimit: '500m' },
        env: { MAILER_BATCH_SIZE: '50' },
        backendEnv: true,
        healthCommand: ['/app/.venv/bin/python', '-m', 'src.workers.health', 'mailer'],
        healthPeriodSeconds: 20,
        terminationGracePeriodSeconds: 60,
      },
      // an image of its own, without the backend's settings, a fixed count
      thumbnails: {
        image: { repository: 'registry.example.com/rp/thumbnailer', tag: '0.3.0', digest: DIGEST_C },
        command: ['/thumbnailer'],
        replicas: 2,
        podDisruptionBudget: { minAvailable: 1 },
        backendEnv: false,
        runAsUser: 10005,
        runAsGroup: 10006,
        healthCommand: ['/thumbnailer', 'health'],
      },
    },
    cronJobs: {
      cleanup: {
        schedule: '30 2 * * *',
        timeZone: 'Europe/Berlin',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
        activeDeadlineSeconds: 1800,
        backoffLimit: 1,
        successfulJobsHistoryLimit: 2,
        failedJobsHistoryLimit: 2,
        image: { repository: 'registry.example.com/rp/backend', tag: '2.0.0', digest: DIGEST_A },
        command: ['/app/.venv/bin/python', '-m', 'src.jobs.cleanup'],
        args: ['--older-than', '30d'],
        resources: { cpuRequest: '50m', memoryRequest: '128Mi', memoryLimit: '256Mi', cpuLimit: '250m' },
        env: { CLEANUP_DRY_RUN: 'false' },
        backendEnv: true,
        runAsUser: 10001,
        runAsGroup: 10002,
      },
    },
    delivery: {
      repoURL: 'git@github.com:acme/gitops.git',
      revision: 'release',
      root: 'deploy/dist',
      argocd: { namespace: 'gitops', project: 'backend', server: 'https://eu.example.com' },
      flux: { namespace: 'flux', sourceName: 'gitops', interval: '5m', serviceAccountName: 'reviewpoint-deployer' },
    },
    migration: {
      strategy: 'job',
      image: { repository: 'registry.example.com/rp/backend-shell', tag: '2.0.0', digest: DIGEST_B },
      command: ['alembic', 'upgrade', 'heads'],
      runAsUser: 10003,
      runAsGroup: 10004,
      resources: { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi', cpuLimit: '500m' },
      backoffLimit: 1,
      activeDeadlineSeconds: 900,
      waitForDatabaseSeconds: 90,
      ttlSecondsAfterFinished: 3600,
      allowConcurrentInitContainers: false,
      nodeSelector: { pool: 'batch' },
      tolerations: [{ key: 'batch', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      affinity: {},
    },
  };
}

describe('a config that sets every field', () => {
  // GIVEN the config; WHEN it is synthesized
  const objects: any[] = synthesizeObjects(configFrom(everyField(), 'full'));
  const find = (kind: string) => objects.find((o) => o.kind === kind);
  const app = find('Deployment').spec.template.spec.containers[0];
  const migrate = find('Job').spec.template.spec.containers[0];

  // THEN
  test('passes the schema and the security contract', () => {
    expect(() => verifyManifests(objects, { environment: 'full', production: true })).not.toThrow();
  });

  test('creates the optional objects: HTTPRoute, ServiceMonitor and ExternalSecret, with what the config says', () => {
    expect(find('HTTPRoute').spec.parentRefs).toEqual([
      {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: 'public',
        namespace: 'gateways',
        sectionName: 'https',
      },
    ]);
    expect(find('ServiceMonitor').spec.endpoints).toEqual([
      { port: 'http', path: '/api/v1/metrics', scheme: 'http', interval: '1m', scrapeTimeout: '20s' },
    ]);
    expect(find('ExternalSecret').spec).toMatchObject({
      refreshInterval: '15m',
      secretStoreRef: { name: 'vault', kind: 'SecretStore' },
      data: [
        { secretKey: 'database-url', remoteRef: { key: 'rp/full', property: 'database-url' } },
        { secretKey: 'jwt', remoteRef: { key: 'rp/full', property: 'jwt-secret' } },
      ],
    });
    expect(find('Ingress').metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-body-size': '64m' });
    expect(find('Ingress').spec.rules[0].http.paths[0].path).toBe('/api');
    expect(find('HTTPRoute').spec.rules[0]).toMatchObject({ timeouts: { request: '60s', backendRequest: '30s' } });
    // metrics.public: no path kept from the edge, so no blocking path, rule or Service port
    expect(find('Ingress').spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/api']);
    expect(find('HTTPRoute').spec.rules).toHaveLength(1);
    expect(find('Service').spec.ports.map((p: any) => p.name)).toEqual(['http']);
    expect(find('HorizontalPodAutoscaler').spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(
      objects.find((o) => o.metadata.name === 'reviewpoint-backend-app-egress').spec.egress[0].to[0].ipBlock,
    ).toEqual({ cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] });
    expect(
      objects.find((o) => o.metadata.name === 'reviewpoint-backend-worker-mailer-egress').spec.egress[0].ports,
    ).toEqual([{ protocol: 'TCP', port: 587 }]);
    expect(find('Deployment').spec.template.spec).toMatchObject({
      priorityClassName: 'business-critical',
      imagePullSecrets: [{ name: 'registry-credentials' }],
    });
    expect(app.lifecycle.preStop.exec.command).toEqual(['/app/.venv/bin/python', '-c', 'import time; time.sleep(15)']);
  });

  test('runs the configured command with its args', () => {
    expect(app).toMatchObject({
      command: ['/app/.venv/bin/python', '-m', 'uvicorn', 'src.main:app'],
      args: ['--host', '0.0.0.0', '--port', '8000', '--proxy-headers'],
    });
  });

  test('sets a CPU limit on the app and on the migration when cpuLimit is given', () => {
    // ephemeral storage: /tmp (app.tmpSizeLimit) and logs, plus the Job's upload folder (the
    // app's uploads are a claim)
    expect(app.resources).toEqual({
      requests: { cpu: '200m', memory: '320Mi', 'ephemeral-storage': '576Mi' },
      limits: { cpu: '1500m', memory: '640Mi', 'ephemeral-storage': '576Mi' },
    });
    expect(migrate.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '336Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '336Mi' },
    });
  });

  test('mounts the uploads from the existing claim instead of an emptyDir', () => {
    expect(find('Deployment').spec.template.spec.volumes).toContainEqual({
      name: 'uploads',
      persistentVolumeClaim: { claimName: 'reviewpoint-uploads' },
    });
    expect(app.volumeMounts).toContainEqual({ name: 'uploads', mountPath: '/app/uploads' });
  });

  test('with apiKeyEnabled false, turns the key check off and reads no API key', () => {
    expect(find('ConfigMap').data.REVIEWPOINT_API_KEY_ENABLED).toBe('false');
    // the migration Job also carries the settings as literal values: only secret refs matter here
    const secretRefs = (c: any) =>
      c.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]);
    const expected = [
      ['REVIEWPOINT_DB_URL', { name: 'rp-secrets', key: 'database-url' }],
      ['REVIEWPOINT_JWT_SECRET_KEY', { name: 'rp-secrets', key: 'jwt' }],
      ['REVIEWPOINT_JWT_SECRET', { name: 'rp-secrets', key: 'jwt' }],
      // app.env's, which the migration gets too
      ['SMTP_PASSWORD', { name: 'smtp', key: 'password' }],
    ];
    expect(secretRefs(app)).toEqual(expected);
    expect(secretRefs(migrate)).toEqual(expected);
  });

  test('puts the pod labels and annotations on the app pods only, and the annotations on its ServiceAccount', () => {
    const pod = find('Deployment').spec.template;
    expect(pod.metadata.labels.team).toBe('reviews');
    expect(pod.metadata.annotations['sidecar.istio.io/inject']).toBe('true');
    expect(find('Deployment').metadata.labels.team).toBeUndefined();
    // a mesh sidecar in the Job's pod would keep the Job from completing
    expect(find('Job').spec.template.metadata.annotations).toBeUndefined();
    expect(find('Job').spec.template.metadata.labels.team).toBeUndefined();
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts.map((a) => [a.metadata.name, a.metadata.annotations?.['eks.amazonaws.com/role-arn']])).toEqual([
      ['reviewpoint-backend', 'arn:aws:iam::123456789012:role/reviewpoint'],
      ['reviewpoint-backend-cron-cleanup', undefined],
      ['reviewpoint-backend-migration', undefined],
      ['reviewpoint-backend-worker-mailer', undefined],
      ['reviewpoint-backend-worker-thumbnails', undefined],
    ]);
    expect(accounts.map((a) => a.automountServiceAccountToken)).toEqual(accounts.map(() => false));
  });

  test('schedules the app where app says, and the migration where migration says', () => {
    const appPod = find('Deployment').spec.template.spec;
    const jobPod = find('Job').spec.template.spec;
    expect(appPod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(appPod.tolerations).toEqual([{ key: 'pool', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
    expect(appPod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(
      'kubernetes.io/hostname',
    );
    expect(jobPod.nodeSelector).toEqual({ pool: 'batch' });
    expect(jobPod.tolerations).toEqual([
      { key: 'batch', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    // migration.affinity {}: the migration's own, which is none
    expect(jobPod.affinity).toBeUndefined();
  });

  test("gives app.env and app.envFrom to the app and the migration, after the synth's own", () => {
    const names = (c: any) => c.env.map((e: any) => e.name);
    expect(names(app).slice(-5)).toEqual(['POD_NAME', 'SMTP_PASSWORD', 'OTEL_ENDPOINT', 'MEMORY_LIMIT_MIB', 'TZ']);
    expect(names(migrate).slice(-5)).toEqual(names(app).slice(-5));
    expect(app.env).toContainEqual({
      name: 'MEMORY_LIMIT_MIB',
      valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
    });
    // the settings ConfigMap last: its values win over a key of the same name in the team's sources
    expect(app.envFrom).toEqual([
      { prefix: 'OIDC_', secretRef: { name: 'oidc' } },
      { configMapRef: { name: 'feature-flags' } },
      { configMapRef: { name: 'reviewpoint-backend' } },
    ]);
    expect(migrate.envFrom).toEqual(app.envFrom.slice(0, 2));
  });

  test('probes as app.probes says', () => {
    expect(app.readinessProbe).toEqual({
      httpGet: { path: '/api/v1/metrics', port: 'http', scheme: 'HTTP' },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 2,
      initialDelaySeconds: 1,
    });
    expect(app.startupProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 30, initialDelaySeconds: 5 });
    expect(app.livenessProbe).toMatchObject({ periodSeconds: 30, timeoutSeconds: 4 });
  });

  test('runs both pods as the configured identities, in the restricted securityContext', () => {
    const restricted = (runAsUser: number, runAsGroup: number) => ({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup,
      runAsNonRoot: true,
      runAsUser,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(app.securityContext).toEqual(restricted(10001, 10002));
    expect(migrate.securityContext).toEqual(restricted(10003, 10004));
    expect(find('Job').spec.template.spec.securityContext).toEqual({
      fsGroup: 10004,
      fsGroupChangePolicy: 'OnRootMismatch',
      runAsGroup: 10004,
      runAsNonRoot: true,
      runAsUser: 10003,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});

describe('the workers and the cron job of the config that sets every field', () => {
  // GIVEN the config; WHEN it is synthesized
  const objects: any[] = synthesizeObjects(configFrom(everyField(), 'full'));
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const mailer = named('Deployment', 'reviewpoint-backend-worker-mailer');
  const thumbnails = named('Deployment', 'reviewpoint-backend-worker-thumbnails');
  const cleanup = named('CronJob', 'reviewpoint-backend-cron-cleanup');
  const container = (d: any) => d.spec.template.spec.containers[0];

  // THEN
  test('a worker runs the app image with its command, the backend settings and secrets, its env and resources', () => {
    expect(container(mailer)).toMatchObject({
      name: 'worker',
      image: `registry.example.com/rp/backend:2.0.0@${DIGEST_A}`,
      command: ['/app/.venv/bin/python', '-m', 'src.workers.mailer'],
      args: ['--queue', 'mail'],
      workingDir: '/app',
      envFrom: [{ configMapRef: { name: 'reviewpoint-backend' } }],
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
    expect(container(mailer).env).toEqual([
      { name: 'REVIEWPOINT_DB_URL', valueFrom: { secretKeyRef: { name: 'rp-secrets', key: 'database-url' } } },
      { name: 'REVIEWPOINT_JWT_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'rp-secrets', key: 'jwt' } } },
      { name: 'REVIEWPOINT_JWT_SECRET', valueFrom: { secretKeyRef: { name: 'rp-secrets', key: 'jwt' } } },
      { name: 'MAILER_BATCH_SIZE', value: '50' },
    ]);
    // its pods roll with the settings, as the app's do
    expect(mailer.spec.template.metadata.annotations['checksum/config']).toBe(
      named('Deployment', 'reviewpoint-backend').spec.template.metadata.annotations['checksum/config'],
    );
    expect(mailer.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('a worker is probed by its health command: readiness out at the first failure, liveness after three', () => {
    const exec = { command: ['/app/.venv/bin/python', '-m', 'src.workers.health', 'mailer'] };
    expect(container(mailer).readinessProbe).toEqual({
      exec,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 1,
    });
    expect(container(mailer).livenessProbe).toEqual({
      exec,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    expect(container(mailer).ports).toBeUndefined();
  });

  test('a worker scales by its autoscaler or its fixed count, each with its own budget', () => {
    expect(mailer.spec.replicas).toBeUndefined();
    expect(named('HorizontalPodAutoscaler', 'reviewpoint-backend-worker-mailer').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 3,
      scaleTargetRef: { kind: 'Deployment', name: 'reviewpoint-backend-worker-mailer' },
    });
    expect(named('PodDisruptionBudget', 'reviewpoint-backend-worker-mailer').spec).toMatchObject({
      maxUnavailable: 1,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'reviewpoint-backend',
          'app.kubernetes.io/instance': 'reviewpoint-backend-full',
          'app.kubernetes.io/component': 'worker-mailer',
        },
      },
    });
    expect(thumbnails.spec.replicas).toBe(2);
    expect(named('PodDisruptionBudget', 'reviewpoint-backend-worker-thumbnails').spec.minAvailable).toBe(1);
  });

  test('a worker with its own image and backendEnv false gets neither settings nor secrets, and runs as it says', () => {
    const c = container(thumbnails);
    expect(c.image).toBe(`registry.example.com/rp/thumbnailer:0.3.0@${DIGEST_C}`);
    expect(c.env).toBeUndefined();
    expect(c.envFrom).toBeUndefined();
    expect(c.workingDir).toBeUndefined();
    expect(thumbnails.spec.template.metadata.annotations).toBeUndefined();
    expect(thumbnails.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('0.3.0');
    expect(c.securityContext).toMatchObject({ runAsUser: 10005, runAsGroup: 10006 });
  });

  test('the cron job runs on its schedule and time zone, with its bounds, history, command and env', () => {
    expect(cleanup.spec).toMatchObject({
      schedule: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 2,
      failedJobsHistoryLimit: 2,
      jobTemplate: { spec: { activeDeadlineSeconds: 1800, backoffLimit: 1 } },
    });
    const pod = cleanup.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({
      name: 'job',
      image: `registry.example.com/rp/backend:2.0.0@${DIGEST_A}`,
      command: ['/app/.venv/bin/python', '-m', 'src.jobs.cleanup'],
      args: ['--older-than', '30d'],
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
    });
    expect(pod.containers[0].env).toContainEqual({ name: 'CLEANUP_DRY_RUN', value: 'false' });
    expect(pod.securityContext).toEqual({
      fsGroup: 10002,
      fsGroupChangePolicy: 'OnRootMismatch',
      runAsGroup: 10002,
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test("the workers' and the cron job's pods carry their own component, which the app's Service does not select", () => {
    const service = named('Service', 'reviewpoint-backend');
    expect(service.spec.selector['app.kubernetes.io/component']).toBe('api');
    expect(mailer.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('worker-mailer');
    expect(cleanup.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('cron-cleanup');
  });
});

/**
 * every key path of the config schema, objects walked into (e.g. app.uploads.claimName), from its
 * JSON schema; a record's entries (workers.<name>) as *; list items and the forms of a value (a
 * peer or a list of peers) under the same path
 */
function schemaPaths(
  node: any = z.toJSONSchema(configSchema, { io: 'input' }),
  prefix = '',
  intoLists = true,
): string[] {
  const entries = node.additionalProperties?.properties
    ? schemaPaths(node.additionalProperties, `${prefix}*.`, intoLists)
    : [];
  const forms: any[] = intoLists ? [...(node.anyOf ?? []), ...(node.items ? [node.items] : [])] : [];
  return [
    ...Object.entries(node.properties ?? {}).flatMap(([k, v]) => [
      `${prefix}${k}`,
      ...schemaPaths(v, `${prefix}${k}.`, intoLists),
    ]),
    ...entries,
    ...forms.flatMap((f) => schemaPaths(f, prefix, intoLists)),
  ];
}

/** the form of a value (a peer or a list of peers) that the data has */
function formOf(node: any, value: any): any {
  if (!node?.anyOf) return node;
  return node.anyOf.find((f: any) => (Array.isArray(value) ? f.type === 'array' : f.type !== 'array')) ?? node;
}

/** every key path of the data, a record's keys (workers.<name>) as *, list items under the list's path */
function dataPaths(value: any, node: any = z.toJSONSchema(configSchema, { io: 'input' }), prefix = ''): string[] {
  const form = formOf(node, value);
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v) => dataPaths(v, form?.items, prefix))];
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => {
    const record = form?.properties?.[k] === undefined && typeof form?.additionalProperties === 'object';
    const key = record ? '*' : k;
    const child = record ? form.additionalProperties : form?.properties?.[k];
    return [`${prefix}${key}`, ...dataPaths(v, child, `${prefix}${key}.`)];
  });
}

describe('the config that sets every field', () => {
  test('sets every field of the schema, but for the other side of an either/or', () => {
    // GIVEN the fields that exclude one set here: a fixed count (autoscaling is set), minAvailable
    // (maxUnavailable is set), an emptyDir
    // size and a claim the output creates (an existing claim is set), the other form of each peer (cidr or namespace and pods)
    const otherSide = [
      'app.replicas',
      // fills the default command's --forwarded-allow-ips: a command of one's own says it itself
      'app.trustedProxies',
      'app.podDisruptionBudget.minAvailable',
      'app.uploads.sizeLimit',
      'app.uploads.volume',
      'app.uploads.volume.size',
      'app.uploads.volume.storageClassName',
      'app.uploads.volume.accessMode',
      'ingress.host',
      'dns.peers',
      'database.egress.cidr',
      'database.egress.except',
      'route.allowFrom.except',
      'serviceMonitor.allowFrom.except',
      'allowIngressFrom.namespace',
      'allowIngressFrom.podLabels',
      'route.allowFrom.cidr',
      'route.allowFrom.podLabels',
      'serviceMonitor.allowFrom.cidr',
      'serviceMonitor.allowFrom.podLabels',
    ];
    // WHEN its fields are compared with the schema's
    const set = new Set(dataPaths(everyField()));
    // migration.affinity is app.affinity's type, every key of which is set there; in Kubernetes'
    // own types (Affinity, Toleration, EnvVar, EnvFromSource), passed through and checked by the
    // schema gate, the items of their lists are not walked
    const kubernetesTypes = ['app.affinity.', 'app.tolerations.', 'migration.tolerations.', 'app.env.', 'app.envFrom.'];
    const outsideLists = new Set(schemaPaths(undefined, '', false));
    const missing = [...new Set(schemaPaths())].filter(
      (p) =>
        p !== '' &&
        !set.has(p) &&
        !otherSide.some((o) => p === o || p.startsWith(`${o}.`)) &&
        !p.startsWith('migration.affinity.') &&
        !(kubernetesTypes.some((k) => p.startsWith(k)) && !outsideLists.has(p)),
    );
    // THEN none is left out: a new config field fails here until a test sets it
    expect(missing).toEqual([]);
  });
});
