import { ApiObject, App, Chart } from 'cdk8s';
import {
  argoCdApplication,
  Availability,
  CronWorkload,
  ExternalSecret,
  fluxKustomizations,
  hardenedContainer,
  HttpRoute,
  MigrationJob,
  NetworkPolicies,
  RestrictedNamespace,
  ServiceMonitor,
  WebApp,
  Worker,
  type HardenedContainerProps,
  type WebAppProps,
} from '../../lib/constructs';
import { ReviewpointChart } from '../../lib/app/chart';
import { fixtureConfig } from '../helpers';

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

describe('HardenedContainer', () => {
  test('fails when runAsUser is root', () => {
    // GIVEN a container asked to run as UID 0  WHEN built  THEN refused, naming the prop and value
    expect(() => hardenedContainer({ ...container, runAsUser: 0 })).toThrow(
      /container "app": runAsUser got 0; allowed: an integer from 1/,
    );
  });

  test('fails when the memory limit is below the request', () => {
    // GIVEN a limit under the request  WHEN built  THEN refused
    expect(() =>
      hardenedContainer({ ...container, resources: { ...container.resources, memoryLimit: '16Mi' } }),
    ).toThrow(/resources.memoryLimit got 16Mi; allowed: at least memoryRequest \(32Mi\)/);
  });

  test('fails when a quantity is not one', () => {
    // GIVEN a CPU request that is no quantity  WHEN built  THEN refused
    expect(() =>
      hardenedContainer({ ...container, resources: { ...container.resources, cpuRequest: 'lots' } }),
    ).toThrow(/resources.cpuRequest got "lots"; allowed: a positive quantity/);
  });

  test('fails when the command is empty', () => {
    // GIVEN no command  WHEN built  THEN refused: the image's entrypoint is not reviewed
    expect(() => hardenedContainer({ ...container, command: [] })).toThrow(/command got \[\]/);
  });

  test('fails when the name is not a DNS label', () => {
    // GIVEN an upper-case name  WHEN built  THEN refused
    expect(() => hardenedContainer({ ...container, name: 'App' })).toThrow(/container name got "App"/);
  });
});

describe('WebApp', () => {
  test('exposes the objects it creates', () => {
    // GIVEN a web app with a budget and an Ingress
    const app = new WebApp(
      chart(),
      'Shop',
      webApp({ podDisruptionBudget: { maxUnavailable: 1 }, ingress: { host: 'shop.example.com' } }),
    );
    // WHEN its attributes are read  THEN each is the object of its kind
    expect(
      [app.serviceAccount, app.deployment, app.service, app.ingress, app.podDisruptionBudget].map((o) => o?.kind),
    ).toEqual(['ServiceAccount', 'Deployment', 'Service', 'Ingress', 'PodDisruptionBudget']);
    expect(app.configMap).toBeUndefined();
    expect(app.horizontalPodAutoscaler).toBeUndefined();
  });

  test('fails when the selector is not part of the labels', () => {
    // GIVEN a selector label the pods would not carry  WHEN built  THEN refused
    expect(() => new WebApp(chart(), 'Shop', webApp({ labels: { other: 'x' } }))).toThrow(
      /selector label app.kubernetes.io\/name=shop missing from labels/,
    );
  });

  test('fails when the port is out of range', () => {
    // GIVEN port 70000  WHEN built  THEN refused
    expect(() => new WebApp(chart(), 'Shop', webApp({ port: 70000 }))).toThrow(/port got 70000; allowed: 1 to 65535/);
  });

  test('fails when the probe path is not a path', () => {
    // GIVEN a probe path without "/"  WHEN built  THEN refused
    expect(() => new WebApp(chart(), 'Shop', webApp({ probes: { path: 'ready' } }))).toThrow(/probes.path got "ready"/);
  });

  test('fails when an emptyDir volume has no size limit', () => {
    // GIVEN a volume that is neither a claim nor sized  WHEN built  THEN refused
    expect(() => new WebApp(chart(), 'Shop', webApp({ volumes: [{ name: 'cache', mountPath: '/cache' }] }))).toThrow(
      /volume "cache" sizeLimit got undefined; allowed: a positive quantity, or a claimName/,
    );
  });
});

describe('Availability', () => {
  test('fails when a budget gives both minAvailable and maxUnavailable', () => {
    // GIVEN both bounds  WHEN built  THEN refused
    expect(
      () =>
        new Availability(chart(), 'A', {
          name: 'shop',
          namespace: 'shop',
          labels: selector,
          selector,
          podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 },
        }),
    ).toThrow(/exactly one of minAvailable, maxUnavailable/);
  });

  test('fails when maxReplicas is below minReplicas', () => {
    // GIVEN an autoscaler from 3 to 2  WHEN built  THEN refused
    expect(
      () =>
        new Availability(chart(), 'A', {
          name: 'shop',
          namespace: 'shop',
          labels: selector,
          selector,
          autoscaling: { minReplicas: 3, maxReplicas: 2 },
        }),
    ).toThrow(/got minReplicas 3, maxReplicas 2/);
  });
});

describe('the other constructs', () => {
  test('fails when a network peer is both an address block and a namespace', () => {
    // GIVEN a peer with a cidr and a namespace  WHEN built  THEN refused
    expect(
      () =>
        new NetworkPolicies(chart(), 'N', {
          namespace: 'shop',
          labels: selector,
          serverSelector: selector,
          port: 8080,
          egressName: 'shop-egress',
          egress: [{ to: { cidr: '10.0.0.0/8', namespace: 'db' }, ports: [{ port: 5432 }] }],
        }),
    ).toThrow(/egress\[0\]: peer got .*allowed: a cidr, or a namespace/);
  });

  test('fails when the network policies select no pods by label', () => {
    // GIVEN an empty server selector, which would select every pod  WHEN built  THEN refused
    expect(
      () =>
        new NetworkPolicies(chart(), 'N', {
          namespace: 'shop',
          labels: selector,
          serverSelector: {},
          port: 8080,
          egressName: 'e',
        }),
    ).toThrow(/serverSelector got \{\}/);
  });

  test('fails when a route has no host names', () => {
    // GIVEN no hostnames  WHEN built  THEN refused
    expect(
      () =>
        new HttpRoute(chart(), 'R', {
          name: 'shop',
          namespace: 'shop',
          labels: selector,
          gateway: { name: 'gw', namespace: 'gateways' },
          hostnames: [],
          serviceName: 'shop',
          servicePort: 8080,
        }),
    ).toThrow(/hostnames got \[\]/);
  });

  test('fails when a service monitor path is not a path', () => {
    // GIVEN a metrics path without "/"  WHEN built  THEN refused
    expect(
      () =>
        new ServiceMonitor(chart(), 'M', {
          name: 'shop',
          namespace: 'shop',
          labels: selector,
          serviceSelector: selector,
          path: 'metrics',
        }),
    ).toThrow(/path got "metrics"/);
  });

  test('fails when an external secret has no keys', () => {
    // GIVEN no keys  WHEN built  THEN refused
    expect(
      () =>
        new ExternalSecret(chart(), 'S', {
          name: 'shop',
          namespace: 'shop',
          labels: selector,
          store: { name: 'vault', kind: 'ClusterSecretStore' },
          remoteKey: 'shop',
          keys: [],
        }),
    ).toThrow(/keys got \[\]/);
  });

  test('fails when the migration ServiceAccount would not come before the Job', () => {
    // GIVEN the ServiceAccount's wave after the Job's  WHEN built  THEN refused
    expect(
      () =>
        new MigrationJob(chart(), 'M', {
          serviceAccountName: 'shop-migration',
          jobNamePrefix: 'shop-migrate',
          namespace: 'shop',
          labels: selector,
          container,
          serviceAccountSyncWave: 0,
        }),
    ).toThrow(/serviceAccountSyncWave got 0; allowed: a wave before syncWave \(-1\)/);
  });

  test('a migration Job is named from its pod template', () => {
    // GIVEN two Jobs that differ in their image only
    const name = (image: string) =>
      new MigrationJob(chart(), 'M', {
        serviceAccountName: 'shop-migration',
        jobNamePrefix: 'shop-migrate',
        namespace: 'shop',
        labels: selector,
        container: { ...container, image },
      }).jobName;
    // WHEN named  THEN the names differ, and each is the prefix and a hash
    expect(name('a:1')).toMatch(/^shop-migrate-[0-9a-f]{10}$/);
    expect(name('a:1')).not.toBe(name('a:2'));
  });

  test('fails when the namespace names a Pod Security version that is none', () => {
    // GIVEN version "1.28" without its "v"  WHEN built  THEN refused
    expect(() => new RestrictedNamespace(chart(), 'Namespace', { name: 'shop', podSecurityVersion: '1.28' })).toThrow(
      /podSecurityVersion got "1.28"; allowed: v<major>.<minor> or latest/,
    );
  });
});

describe('Worker and CronWorkload', () => {
  test('fails when a worker selector is not part of its pod labels', () => {
    // GIVEN a selector the pods would not carry  WHEN built  THEN refused
    expect(
      () =>
        new Worker(chart(), 'W', {
          name: 'shop-worker',
          namespace: 'shop',
          labels: { other: 'x' },
          selector,
          container,
          healthCommand: ['/ok'],
        }),
    ).toThrow(/worker "shop-worker": selector label app.kubernetes.io\/name=shop missing/);
  });

  test("a worker's pod annotations go on its pod template only", () => {
    // GIVEN a checksum of the settings  WHEN built
    const worker = new Worker(chart(), 'W', {
      name: 'shop-worker',
      namespace: 'shop',
      labels: selector,
      selector,
      container,
      healthCommand: ['/ok'],
      podAnnotations: { 'checksum/config': 'abc' },
    }).deployment.toJson();
    // THEN a change of the settings rolls its pods, and the Deployment itself carries nothing
    expect(worker.spec.template.metadata.annotations).toEqual({ 'checksum/config': 'abc' });
    expect(worker.metadata.annotations).toBeUndefined();
  });

  test('fails when a worker has negative replicas', () => {
    // GIVEN -1 replicas  WHEN built  THEN refused
    expect(
      () =>
        new Worker(chart(), 'W', {
          name: 'shop-worker',
          namespace: 'shop',
          labels: selector,
          selector,
          container,
          healthCommand: ['/ok'],
          replicas: -1,
        }),
    ).toThrow(/replicas got -1/);
  });

  test('fails when a worker has no health command', () => {
    // GIVEN an empty health command  WHEN built  THEN refused: the probes need one
    expect(
      () =>
        new Worker(chart(), 'W', {
          name: 'shop-worker',
          namespace: 'shop',
          labels: selector,
          selector,
          container,
          healthCommand: [],
        }),
    ).toThrow(/healthCommand got \[\]/);
  });

  const cron = (schedule: string, name = 'shop-report') =>
    new CronWorkload(chart(), 'C', { name, namespace: 'shop', labels: selector, schedule, container });

  test('a CronJob runs one at a time by default, with a deadline and a short history', () => {
    // GIVEN a nightly run with no other props  WHEN built
    const spec = cron('@daily').cronJob.toJson().spec;
    // THEN the defaults are written out
    expect(spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: { backoffLimit: 0, activeDeadlineSeconds: 3600, template: { spec: { restartPolicy: 'Never' } } },
      },
    });
  });

  test('fails when the schedule is not five cron fields or a macro', () => {
    // GIVEN six fields  WHEN built  THEN refused, naming what is allowed
    expect(() => cron('0 30 2 * * *')).toThrow(/schedule got "0 30 2 \* \* \*"; allowed: five cron fields/);
  });

  test('fails when the schedule sets its time zone inline', () => {
    // GIVEN a CRON_TZ prefix  WHEN built  THEN refused, pointing to timeZone
    expect(() => cron('CRON_TZ=UTC 0 2 * * *')).toThrow(
      /allowed: no TZ= or CRON_TZ= prefix: the time zone goes in timeZone/,
    );
  });

  test('fails when the time zone is not an IANA name', () => {
    // GIVEN "Local", the controller's own zone  WHEN built  THEN refused
    expect(
      () =>
        new CronWorkload(chart(), 'C', {
          name: 'shop-report',
          namespace: 'shop',
          labels: selector,
          schedule: '@daily',
          timeZone: 'Local',
          container,
        }),
    ).toThrow(/timeZone got "Local"; allowed: an IANA time zone/);
  });

  test('fails when the name leaves no room for the Job names', () => {
    // GIVEN a 53-character name  WHEN built  THEN refused
    expect(() => cron('@daily', 'a'.repeat(53))).toThrow(/name got 53 characters; allowed: at most 52/);
  });
});

describe('the GitOps objects', () => {
  test('each Flux stage depends on the one before and waits a minute past its deadline', () => {
    // GIVEN two stages
    const [first, second] = fluxKustomizations({
      namespace: 'flux-system',
      interval: '5m',
      sourceName: 'gitops',
      stages: [
        { name: 'shop-migration', path: 'deploy/shop/migration', deadlineSeconds: 300 },
        { name: 'shop', path: 'deploy/shop/app', deadlineSeconds: 600 },
      ],
    });
    // WHEN built  THEN the second waits for the first, each a minute past its deadline
    expect(first.spec).toMatchObject({ path: './deploy/shop/migration', timeout: '6m' });
    expect(first.spec?.dependsOn).toBeUndefined();
    expect(second.spec).toMatchObject({ timeout: '11m', dependsOn: [{ name: 'shop-migration' }] });
  });

  test('a Flux stage retries and impersonates only when told, and an Application carries the labels it is given', () => {
    // GIVEN the optional props set, then left out
    const stages = [{ name: 'shop', path: 'deploy/shop/app', deadlineSeconds: 600 }];
    const base = { namespace: 'flux-system', interval: '5m', sourceName: 'gitops', stages };
    const [told] = fluxKustomizations({ ...base, retryInterval: '1m', serviceAccountName: 'shop-deployer' });
    const [plain] = fluxKustomizations(base);
    // WHEN built  THEN they are written, or absent
    expect(told.spec).toMatchObject({ retryInterval: '1m', serviceAccountName: 'shop-deployer' });
    expect([plain.spec?.retryInterval, plain.spec?.serviceAccountName]).toEqual([undefined, undefined]);
    const app = (labels?: Record<string, string>) =>
      argoCdApplication({
        name: 'shop',
        namespace: 'argocd',
        project: 'default',
        repoURL: 'https://example.com/gitops.git',
        revision: 'main',
        path: 'deploy/shop',
        server: 'https://kubernetes.default.svc',
        destinationNamespace: 'shop',
        labels,
      }).metadata;
    expect(app({ 'app.kubernetes.io/name': 'shop' }).labels).toEqual({ 'app.kubernetes.io/name': 'shop' });
    expect(app().labels).toBeUndefined();
  });

  test('fails when there is no stage', () => {
    // GIVEN no stages  WHEN built  THEN refused
    expect(() =>
      fluxKustomizations({ namespace: 'flux-system', interval: '5m', sourceName: 'gitops', stages: [] }),
    ).toThrow(/stages got \[\]/);
  });
});

describe('the ReViewPoint chart', () => {
  test('keeps its construct IDs, which are part of the output contract', () => {
    // GIVEN the staging fixture, which has every kind of object
    const c = new ReviewpointChart(new App(), 'staging', { config: fixtureConfig('staging') });
    // WHEN the paths of its objects are listed
    const paths = c.node
      .findAll()
      .filter((x): x is ApiObject => x instanceof ApiObject)
      .map((o) => `${o.node.path} ${o.kind}`)
      .sort();
    // THEN they are the ones the objects had before the construct library
    expect(paths).toEqual([
      'staging/Backend/App/Deployment Deployment',
      'staging/Backend/Availability/PodDisruptionBudget PodDisruptionBudget',
      'staging/Backend/ConfigMap ConfigMap',
      'staging/Backend/Exposure/Service Service',
      'staging/Backend/ServiceAccount ServiceAccount',
      'staging/Migration/Job Job',
      'staging/Migration/ServiceAccount ServiceAccount',
      'staging/Monitoring/ServiceMonitor ServiceMonitor',
      'staging/Namespace Namespace',
      'staging/Network/AllowEgress NetworkPolicy',
      'staging/Network/AllowGateway NetworkPolicy',
      'staging/Network/AllowMonitoring NetworkPolicy',
      'staging/Network/DefaultDeny NetworkPolicy',
      'staging/Route/HTTPRoute HTTPRoute',
      'staging/Secrets/ExternalSecret ExternalSecret',
    ]);
  });
});

describe('WebApp with every prop', () => {
  test('each prop shows in the objects (a new prop fails the build until a test covers it)', () => {
    // GIVEN every prop of WebAppProps, with autoscaling (which leaves replicas to the HPA)
    const props: Required<WebAppProps> = {
      ...webApp(),
      podLabels: { ...selector, 'app.kubernetes.io/version': '1.0.0' },
      volumes: [{ name: 'cache', mountPath: '/cache', sizeLimit: '64Mi' }],
      settings: { SHOP_MODE: 'fast' },
      configMapName: 'shop-settings',
      replicas: 3,
      autoscaling: { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercent: 60 },
      podDisruptionBudget: { minAvailable: '50%' },
      ingress: { host: 'shop.example.com', className: 'nginx', tlsSecretName: 'shop-tls', annotations: { a: 'b' } },
      progressDeadlineSeconds: 300,
      rollingUpdate: { maxSurge: 2, maxUnavailable: 1 },
      terminationGracePeriodSeconds: 45,
      priorityClassName: 'high',
      imagePullSecrets: ['registry'],
      initContainers: [hardenedContainer({ ...container, name: 'init' })],
      podMetadata: { labels: { team: 'checkout' }, annotations: { 'sidecar.istio.io/inject': 'false' } },
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop' },
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['fast'] }] } },
          ],
        },
      },
    };
    // WHEN built
    const app = new WebApp(chart(), 'Shop', props);
    const deployment = app.deployment.toJson();
    const pod = deployment.spec.template;
    // THEN
    expect(deployment.metadata.labels).toEqual(props.podLabels);
    expect(deployment.spec).toMatchObject({
      progressDeadlineSeconds: 300,
      strategy: { rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
    });
    expect(deployment.spec.replicas).toBeUndefined();
    expect(pod.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.spec).toMatchObject({
      terminationGracePeriodSeconds: 45,
      priorityClassName: 'high',
      imagePullSecrets: [{ name: 'registry' }],
      initContainers: [{ name: 'init' }],
      volumes: [{ name: 'tmp' }, { name: 'cache', emptyDir: { sizeLimit: '64Mi' } }],
    });
    expect(pod.spec.containers[0]).toMatchObject({
      envFrom: [{ configMapRef: { name: 'shop-settings' } }],
      volumeMounts: [{ name: 'tmp' }, { name: 'cache', mountPath: '/cache' }],
      // /tmp 256Mi + the cache 64Mi + 64Mi for logs
      resources: { requests: { 'ephemeral-storage': '384Mi' } },
    });
    expect(pod.metadata.labels).toEqual({ ...props.podLabels, team: 'checkout' });
    expect(pod.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    expect(pod.spec).toMatchObject({
      nodeSelector: props.nodeSelector,
      tolerations: props.tolerations,
      affinity: props.affinity,
    });
    expect(app.serviceAccount.toJson()).toMatchObject({
      metadata: { annotations: props.serviceAccountAnnotations },
      automountServiceAccountToken: false,
    });
    expect(app.configMap?.toJson()).toMatchObject({ metadata: { name: 'shop-settings' }, data: { SHOP_MODE: 'fast' } });
    expect(app.horizontalPodAutoscaler?.toJson().spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ resource: { target: { averageUtilization: 60 } } }],
    });
    expect(app.podDisruptionBudget?.toJson().spec).toMatchObject({ minAvailable: '50%' });
    expect(app.ingress?.toJson()).toMatchObject({
      metadata: { annotations: { a: 'b' } },
      spec: { ingressClassName: 'nginx', tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }] },
    });
  });
});
