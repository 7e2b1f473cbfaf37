import { App, Chart } from 'cdk8s';
import {
  DEFAULT_PROBES,
  hardenedPodSpec,
  MigrationJob,
  WebApp,
  type HardenedContainerProps,
  type SchedulingProps,
  type WebAppProps,
} from '../../lib/constructs';

const chart = () => new Chart(new App(), 'test', { disableResourceNameHashes: true });
const selector = { 'app.kubernetes.io/name': 'shop' };
const container: HardenedContainerProps = {
  name: 'app',
  image: 'registry.example.com/shop:1.0.0',
  command: ['/shop'],
  runAsUser: 1000,
  runAsGroup: 1000,
  resources: { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '64Mi' },
};
const webApp = (over: Partial<WebAppProps> = {}): WebAppProps => ({
  name: 'shop',
  namespace: 'shop',
  labels: selector,
  selector,
  container,
  port: 8080,
  probes: { path: '/ready' },
  ...over,
});
const deployment = (over: Partial<WebAppProps> = {}) => new WebApp(chart(), 'Shop', webApp(over)).deployment.toJson();
const podSpec = (scheduling: SchedulingProps) =>
  hardenedPodSpec({
    serviceAccountName: 'shop',
    identity: container,
    containers: [],
    where: 'deployment "shop"',
    ...scheduling,
  });

describe('WebApp pod metadata', () => {
  test('puts podMetadata on the pods only, not on the Deployment', () => {
    // GIVEN a pod label and a mesh annotation  WHEN built
    const d = deployment({
      podMetadata: { labels: { team: 'checkout' }, annotations: { 'linkerd.io/inject': 'enabled' } },
    });
    // THEN the pod template carries them and the Deployment does not
    expect(d.spec.template.metadata).toEqual({
      labels: { ...selector, team: 'checkout' },
      annotations: { 'linkerd.io/inject': 'enabled' },
    });
    expect(d.metadata.labels).toEqual(selector);
    expect(d.metadata.annotations).toBeUndefined();
  });

  test('keeps the settings checksum beside the given annotations', () => {
    // GIVEN settings and a pod annotation  WHEN built
    const d = deployment({
      settings: { A: '1' },
      podMetadata: { annotations: { 'reloader.stakater.com/auto': 'true' } },
    });
    // THEN both are on the pods
    expect(Object.keys(d.spec.template.metadata.annotations).sort()).toEqual([
      'checksum/config',
      'reloader.stakater.com/auto',
    ]);
  });

  test('fails when a pod label is one the pods carry already', () => {
    // GIVEN a pod label that would override the selector's  WHEN built  THEN refused
    expect(() => deployment({ podMetadata: { labels: { 'app.kubernetes.io/name': 'other' } } })).toThrow(
      /deployment "shop": podLabels got app.kubernetes.io\/name, a label the pods carry already; allowed: a label not in labels/,
    );
  });

  test('fails when a pod annotation is the settings checksum', () => {
    // GIVEN checksum/config among the pod annotations  WHEN built  THEN refused
    expect(() => deployment({ podMetadata: { annotations: { 'checksum/config': 'x' } } })).toThrow(
      /web app "shop": podMetadata.annotations got checksum\/config, which the app sets from its settings/,
    );
  });

  test('annotates the ServiceAccount, whose token stays unmounted', () => {
    // GIVEN a Workload Identity annotation  WHEN built
    const sa = new WebApp(
      chart(),
      'Shop',
      webApp({ serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': 'shop@p.iam.gserviceaccount.com' } }),
    ).serviceAccount.toJson();
    // THEN
    expect(sa).toMatchObject({
      metadata: { annotations: { 'iam.gke.io/gcp-service-account': 'shop@p.iam.gserviceaccount.com' } },
      automountServiceAccountToken: false,
    });
  });

  test('reads the settings ConfigMap last, so its values win over another envFrom source', () => {
    // GIVEN a Secret read with envFrom, and settings  WHEN built
    const d = deployment({
      settings: { A: '1' },
      container: { ...container, envFrom: [{ secretRef: { name: 'smtp' } }] },
    });
    // THEN the Secret comes first
    expect(d.spec.template.spec.containers[0].envFrom).toEqual([
      { secretRef: { name: 'smtp' } },
      { configMapRef: { name: 'shop' } },
    ]);
  });
});

describe('scheduling', () => {
  test('writes nodeSelector, tolerations and affinity into the pod spec, and nothing when empty', () => {
    // GIVEN an arm64 spot pool  WHEN the pod spec is built
    const spec = podSpec({
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    });
    // THEN it says so; and an empty selector and list leave the fields out
    expect(spec).toMatchObject({
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    });
    const empty = podSpec({ nodeSelector: {}, tolerations: [] });
    expect(
      ['nodeSelector', 'tolerations', 'affinity'].filter((k) => k in empty && empty[k as 'affinity'] !== undefined),
    ).toEqual([]);
  });

  test('a migration Job takes its own scheduling', () => {
    // GIVEN a Job on a node pool  WHEN built
    const job = new MigrationJob(chart(), 'M', {
      serviceAccountName: 'shop-migration',
      jobNamePrefix: 'shop-migrate',
      namespace: 'shop',
      labels: selector,
      container,
      nodeSelector: { pool: 'batch' },
      tolerations: [{ key: 'batch', operator: 'Exists' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }],
          },
        },
      },
    }).job.toJson();
    // THEN its pods carry it
    expect(job.spec.template.spec).toMatchObject({
      nodeSelector: { pool: 'batch' },
      tolerations: [{ key: 'batch', operator: 'Exists' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }],
          },
        },
      },
    });
  });

  test.each([
    [{ operator: 'Exists' }, /tolerations.0.key: missing: a toleration without a key tolerates every taint/],
    [
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' },
      /tolerations.0.key: got "node-role.kubernetes.io\/control-plane": it lets the pods onto control-plane nodes/,
    ],
    [
      { key: 'spot', operator: 'Exists', value: 'true' },
      /tolerations.0.value: got "true" with operator Exists; allowed: no value/,
    ],
    [{ key: 'spot', operator: 'Matches' }, /tolerations.0.operator: got "Matches"; allowed: Exists or Equal/],
    [
      { key: 'spot', operator: 'Exists', effect: 'NoRun' },
      /tolerations.0.effect: got "NoRun"; allowed: NoSchedule, PreferNoSchedule, NoExecute/,
    ],
    [
      { key: 'spot', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 },
      /tolerations.0.tolerationSeconds: got 60 with effect "NoSchedule"; allowed: only with effect NoExecute/,
    ],
  ])('fails when a toleration is refused: %j', (toleration, message) => {
    // GIVEN the toleration  WHEN the pod spec is built  THEN refused, naming the field
    expect(() => podSpec({ tolerations: [toleration] })).toThrow(message);
  });

  const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
  const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';
  test.each([
    [
      {
        nodeAffinity: { [REQUIRED]: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In' }] }] } },
      },
      /affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0.values: missing with operator In/,
    ],
    [
      {
        nodeAffinity: {
          [REQUIRED]: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cpu', operator: 'Gt', values: ['four'] }] }] },
        },
      },
      /matchExpressions.0.values: got \["four"\] with operator Gt; allowed: exactly one whole number/,
    ],
    [
      { nodeAffinity: { [REQUIRED]: { nodeSelectorTerms: [] } } },
      /nodeSelectorTerms: got \[\]; allowed: at least one term/,
    ],
    [
      {
        nodeAffinity: {
          [PREFERRED]: [{ weight: 0, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }],
        },
      },
      /affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.weight: got 0; allowed: 1 to 100/,
    ],
    [
      { podAntiAffinity: { [REQUIRED]: [{ topologyKey: '', labelSelector: { matchLabels: selector } }] } },
      /affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.0.topologyKey: missing/,
    ],
    [
      {
        podAffinity: {
          [PREFERRED]: [
            {
              weight: 10,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
              },
            },
          ],
        },
      },
      /podAffinityTerm.labelSelector.matchExpressions.0.operator: got "Gt"; allowed: In, NotIn, Exists, DoesNotExist/,
    ],
  ])('fails when an affinity is refused: %j', (affinity, message) => {
    // GIVEN the affinity  WHEN the pod spec is built  THEN refused, naming the field
    expect(() => podSpec({ affinity })).toThrow(message);
  });
});

describe('probes', () => {
  const probesOf = (probes: WebAppProps['probes']) => deployment({ probes }).spec.template.spec.containers[0];

  test('a probe that gives some timings keeps the defaults of the others, and may have its own path', () => {
    // GIVEN a readiness probe with its own path and period
    const c = probesOf({ path: '/live', readiness: { path: '/ready', periodSeconds: 5, initialDelaySeconds: 2 } });
    // WHEN built  THEN readiness has them and the default timeout, threshold and success count
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' },
      ...DEFAULT_PROBES.readiness,
      periodSeconds: 5,
      initialDelaySeconds: 2,
    });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 'http' }, ...DEFAULT_PROBES.liveness });
    expect(c.startupProbe.httpGet.path).toBe('/live');
  });

  test('liveness GETs a path when it names one', () => {
    // GIVEN a liveness path of its own  WHEN built  THEN liveness is a GET of it
    const c = probesOf({ path: '/ready', liveness: { path: '/live' } });
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/live', port: 'http', scheme: 'HTTP' },
      ...DEFAULT_PROBES.liveness,
    });
  });

  test('probes the declared port by number when given one', () => {
    // GIVEN the container's port by number  WHEN built  THEN every probe uses it
    const c = probesOf({ path: '/ready', port: 8080 });
    expect([c.startupProbe.httpGet.port, c.readinessProbe.httpGet.port, c.livenessProbe.tcpSocket.port]).toEqual([
      8080, 8080, 8080,
    ]);
  });

  test.each([
    [{ path: '/ready', port: 9090 }, /probes.port got 9090; allowed: a port the container declares \("http" or 8080\)/],
    [{ path: '/ready', port: 'metrics' }, /probes.port got "metrics"; allowed: a port the container declares/],
    [
      { path: '/ready', readiness: { path: 'ready' } },
      /probes.readiness.path got "ready"; allowed: a path starting with "\/"/,
    ],
    [{ path: '/ready', liveness: { successThreshold: 2 } }, /probes.liveness.successThreshold got 2; allowed: 1/],
    [
      { path: '/ready', startup: { periodSeconds: 0 } },
      /probes.startup.periodSeconds got 0; allowed: a whole number from 1/,
    ],
    [
      { path: '/ready', liveness: { path: '/ready', ...DEFAULT_PROBES.readiness } },
      /probes.liveness got the same path, port and timings as readiness/,
    ],
  ])('fails when the probes are refused: %j', (probes, message) => {
    // GIVEN the probes  WHEN built  THEN refused, naming the field
    expect(() => probesOf(probes)).toThrow(message);
  });
});
