import { synthesizeObjects } from '../lib/render';
import { verifyManifests } from '../lib/verify';
import * as z from 'zod/mini';
import { configSchema } from '../lib/config';
import { configFrom, DIGEST_A, DIGEST_B } from './helpers';

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
      autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercent: 60 },
      resources: { cpuRequest: '200m', memoryRequest: '320Mi', memoryLimit: '640Mi', cpuLimit: '1500m' },
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      podDisruptionBudget: { maxUnavailable: 1 },
      preStopSeconds: 15,
      terminationGracePeriodSeconds: 45,
      progressDeadlineSeconds: 300,
      priorityClassName: 'business-critical',
      runAsUser: 10001,
      runAsGroup: 10002,
      uploads: { claimName: 'reviewpoint-uploads' },
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
      externalSecret: {
        store: { name: 'vault', kind: 'SecretStore' },
        remoteKey: 'rp/full',
        properties: { jwt: 'jwt-secret' },
        refreshInterval: '15m',
      },
    },
    database: { port: 6432, maxConnections: 200, egress: { namespace: 'databases', podLabels: { app: 'pg' } } },
    dns: { namespace: 'dns-system', podLabels: { app: 'coredns' }, port: 5353 },
    imagePullSecrets: ['registry-credentials'],
    allowIngressFrom: { cidr: '10.20.0.0/16' },
    ingress: {
      host: 'api.example.com',
      className: 'nginx',
      tlsSecretName: 'api-tls',
      annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '64m' },
    },
    route: {
      gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' },
      hostnames: ['api.example.com'],
      allowFrom: { namespace: 'envoy-gateway-system' },
    },
    serviceMonitor: {
      labels: { release: 'prometheus' },
      interval: '1m',
      scrapeTimeout: '20s',
      allowFrom: { namespace: 'observability' },
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
      ttlSecondsAfterFinished: 3600,
      allowConcurrentInitContainers: false,
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
    // ephemeral storage: /tmp and logs, plus the Job's upload folder (the app's uploads are a claim)
    expect(app.resources).toEqual({
      requests: { cpu: '200m', memory: '320Mi', 'ephemeral-storage': '320Mi' },
      limits: { cpu: '1500m', memory: '640Mi', 'ephemeral-storage': '320Mi' },
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
      c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef]);
    const expected = [
      ['REVIEWPOINT_DB_URL', { name: 'rp-secrets', key: 'database-url' }],
      ['REVIEWPOINT_JWT_SECRET_KEY', { name: 'rp-secrets', key: 'jwt' }],
      ['REVIEWPOINT_JWT_SECRET', { name: 'rp-secrets', key: 'jwt' }],
    ];
    expect(secretRefs(app)).toEqual(expected);
    expect(secretRefs(migrate)).toEqual(expected);
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

/** every key path of the config schema, objects walked into (e.g. app.uploads.claimName), from its JSON schema */
function schemaPaths(node: any = z.toJSONSchema(configSchema, { io: 'input' }), prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, v]) => [
    `${prefix}${k}`,
    ...schemaPaths(v, `${prefix}${k}.`),
  ]);
}

function dataPaths(value: any, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...dataPaths(v, `${prefix}${k}.`)]);
}

describe('the config that sets every field', () => {
  test('sets every field of the schema, but for the other side of an either/or', () => {
    // GIVEN the fields that exclude one set here: a fixed count (autoscaling is set), minAvailable
    // (maxUnavailable is set), an emptyDir
    // size (a claim is set), the other form of each peer (cidr or namespace and pods)
    const otherSide = [
      'app.replicas',
      'app.podDisruptionBudget.minAvailable',
      'app.uploads.sizeLimit',
      'database.egress.cidr',
      'allowIngressFrom.namespace',
      'allowIngressFrom.podLabels',
      'route.allowFrom.cidr',
      'route.allowFrom.podLabels',
      'serviceMonitor.allowFrom.cidr',
      'serviceMonitor.allowFrom.podLabels',
    ];
    // WHEN its fields are compared with the schema's
    const set = new Set(dataPaths(everyField()));
    const missing = schemaPaths().filter((p) => p !== '' && !set.has(p) && !otherSide.includes(p));
    // THEN none is left out: a new config field fails here until a test sets it
    expect(missing).toEqual([]);
  });
});
