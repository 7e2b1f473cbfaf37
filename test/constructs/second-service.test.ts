import { App, Chart } from 'cdk8s';
import { CronWorkload, NetworkPolicies, RestrictedNamespace, WebApp, Worker } from '../../lib/constructs';
import type { KubeObject } from '../../lib/kube-object';
import { verifyManifests } from '../../lib/verify';
import { DIGEST_A } from '../helpers';

/**
 * A service that has nothing to do with ReViewPoint (a Go API on port 9090 with its own probe
 * path, image and settings), built from lib/constructs alone, as docs/constructs.md shows.
 */
function ordersApi(): KubeObject[] {
  const app = new App();
  const chart = new Chart(app, 'orders', { disableResourceNameHashes: true });
  const selector = { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders-prod' };
  const labels = { ...selector, 'app.kubernetes.io/managed-by': 'cdk8s' };
  new RestrictedNamespace(chart, 'Namespace', { name: 'orders', labels });
  // the API's own component: its Service and its ingress allow must not select the worker's or the report's pods
  const apiSelector = { ...selector, 'app.kubernetes.io/component': 'api' };
  const api = new WebApp(chart, 'Api', {
    name: 'orders-api',
    namespace: 'orders',
    labels: { ...labels, 'app.kubernetes.io/component': 'api' },
    selector: apiSelector,
    container: {
      image: `registry.example.com/orders/api:2.3.1@${DIGEST_A}`,
      command: ['/orders-api'],
      args: ['--listen=:9090'],
      runAsUser: 10001,
      runAsGroup: 10001,
      resources: { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
    },
    port: 9090,
    probes: { path: '/healthz' },
    settings: { ORDERS_LOG_FORMAT: 'json' },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetMemoryUtilizationPercent: 80 },
    podDisruptionBudget: { maxUnavailable: 1 },
    ingress: { host: 'orders.example.com', className: 'nginx', tlsSecretName: 'orders-tls' },
  });
  const image = `registry.example.com/orders/api:2.3.1@${DIGEST_A}`;
  const identity = { runAsUser: 10001, runAsGroup: 10001 };
  const resources = { cpuRequest: '20m', memoryRequest: '32Mi', memoryLimit: '64Mi' };
  const workerSelector = { ...selector, 'app.kubernetes.io/component': 'worker' };
  new Worker(chart, 'Worker', {
    name: 'orders-worker',
    namespace: 'orders',
    labels: { ...labels, 'app.kubernetes.io/component': 'worker' },
    selector: workerSelector,
    container: { name: 'worker', image, command: ['/orders-api', 'work'], ...identity, resources },
    healthCommand: ['/orders-api', 'healthcheck', '--worker'],
    replicas: 2,
    podDisruptionBudget: { maxUnavailable: 1 },
  });
  new CronWorkload(chart, 'Nightly', {
    name: 'orders-report',
    namespace: 'orders',
    labels: { ...labels, 'app.kubernetes.io/component': 'report' },
    schedule: '30 2 * * *',
    timeZone: 'Europe/Berlin',
    container: { name: 'report', image, command: ['/orders-api', 'report'], ...identity, resources },
  });
  new NetworkPolicies(chart, 'Network', {
    namespace: 'orders',
    labels,
    serverSelector: api.selector,
    port: api.port,
    // the API, the worker and the nightly report: every pod of the instance
    egressSelector: selector,
    allowIngress: [{ id: 'AllowIngress', name: 'orders-api-ingress', from: { namespace: 'ingress-nginx' } }],
    egressName: 'orders-api-egress',
    egress: [
      {
        to: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }],
      },
      { to: { cidr: '10.40.0.0/24' }, ports: [{ port: 5432 }] },
    ],
    // the API alone (its selector names its component) calls the payment provider
    egressPolicies: [
      {
        id: 'AllowApiEgress',
        name: 'orders-api-payments',
        selector: api.selector,
        egress: [{ to: [{ cidr: '198.51.100.0/24' }, { cidr: '203.0.113.0/24' }], ports: [{ port: 443 }] }],
      },
    ],
  });
  return chart.toJson() as KubeObject[];
}

describe('a second service from lib/constructs alone', () => {
  test('has a worker and a nightly CronJob, hardened like the API', () => {
    // GIVEN the second service's objects
    const objects = ordersApi();
    // WHEN its worker and CronJob are read
    const worker = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders-worker') as any;
    const cron = objects.find((o) => o.kind === 'CronJob') as any;
    // THEN they run the restricted profile with no token, and the CronJob never overlaps
    expect(worker.spec.template.spec).toMatchObject({
      automountServiceAccountToken: false,
      serviceAccountName: 'orders-worker',
    });
    expect(worker.spec.template.spec.containers[0].ports).toBeUndefined();
    expect(cron.spec).toMatchObject({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' });
    expect(cron.spec.jobTemplate.spec.template.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['orders-api']);
  });

  test('lets the API alone out to its payment provider, on 443 only', () => {
    // GIVEN the second service's objects  WHEN its further egress policy is read
    const policy = ordersApi().find((o) => o.metadata.name === 'orders-api-payments') as any;
    // THEN it selects the API's pods, not the worker's, and names the ranges and the one port
    expect(policy.spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'orders-api',
      'app.kubernetes.io/instance': 'orders-prod',
      'app.kubernetes.io/component': 'api',
    });
    expect(policy.spec.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '198.51.100.0/24' } }, { ipBlock: { cidr: '203.0.113.0/24' } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });

  test('passes the gate: schema, API server, Pod Security Standards and house rules, in production', () => {
    // GIVEN an unrelated Go API built from the construct library
    const objects = ordersApi();
    // WHEN the gate judges it with the production profile
    // THEN it passes
    expect(() => verifyManifests(objects, { environment: 'orders', production: true })).not.toThrow();
  });

  test('carries its own name, port, probe path and image, and nothing of ReViewPoint', () => {
    // GIVEN the second service's objects
    const objects = ordersApi();
    const deployment = objects.find((o) => o.kind === 'Deployment') as any;
    const container = deployment.spec.template.spec.containers[0];
    // WHEN its Deployment is read
    // THEN the props are what it runs
    expect(container).toMatchObject({
      name: 'app',
      image: `registry.example.com/orders/api:2.3.1@${DIGEST_A}`,
      ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
      envFrom: [{ configMapRef: { name: 'orders-api' } }],
    });
    expect(container.workingDir).toBeUndefined();
    expect(JSON.stringify(objects)).not.toMatch(/reviewpoint|REVIEWPOINT|8000|api\/v1\/metrics/i);
  });
});
