import { App, Chart } from 'cdk8s';
import {
  Availability,
  HttpRoute,
  NetworkPolicies,
  WebService,
  type AutoscalingProps,
  type HttpRouteProps,
  type IngressProps,
  type NetworkPoliciesProps,
} from '../../lib/constructs';

const chart = () => new Chart(new App(), 'test', { disableResourceNameHashes: true });
const selector = { 'app.kubernetes.io/name': 'shop' };

const network = (over: Partial<NetworkPoliciesProps> = {}) =>
  new NetworkPolicies(chart(), 'N', {
    namespace: 'shop',
    labels: selector,
    serverSelector: selector,
    port: 8080,
    egressName: 'shop-egress',
    ...over,
  });
const policy = (n: NetworkPolicies, name: string) =>
  n.policies.map((p) => p.toJson()).find((p) => p.metadata.name === name);

describe('NetworkPolicies with peer lists', () => {
  test('admits every peer of a list in one rule, and a single peer as a list of one', () => {
    // GIVEN a caller of two peers and one of a single peer
    const n = network({
      allowIngress: [
        {
          id: 'AllowIngress',
          name: 'shop-ingress',
          from: [{ namespace: 'ingress-nginx' }, { cidr: '10.10.0.0/16', except: ['10.10.5.0/24'] }],
        },
        { id: 'AllowMonitoring', name: 'shop-monitoring', from: { namespace: 'monitoring' } },
      ],
    });
    // WHEN built  THEN the list is one rule's `from`, the CIDR keeps its except
    expect(policy(n, 'shop-ingress').spec.ingress).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
          { ipBlock: { cidr: '10.10.0.0/16', except: ['10.10.5.0/24'] } },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    expect(policy(n, 'shop-monitoring').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });

  test('writes each further egress policy for its own pods, after the egress policy', () => {
    // GIVEN the servers alone may reach an SMTP relay and an object store
    const n = network({
      egress: [{ to: { namespace: 'kube-system' }, ports: [{ port: 53, protocol: 'UDP' }] }],
      egressPolicies: [
        {
          id: 'AllowServerEgress',
          name: 'shop-server-egress',
          selector: { ...selector, 'app.kubernetes.io/component': 'server' },
          egress: [
            { to: { cidr: '192.0.2.10/32' }, ports: [{ port: 587 }] },
            { to: [{ cidr: '198.51.100.0/24' }, { namespace: 'minio' }], ports: [{ port: 443 }, { port: 9000 }] },
          ],
        },
      ],
    });
    // WHEN built
    const names = n.policies.map((p) => p.toJson().metadata.name);
    // THEN
    expect(names).toEqual(['default-deny', 'shop-egress', 'shop-server-egress']);
    expect(policy(n, 'shop-server-egress').spec).toEqual({
      podSelector: { matchLabels: { ...selector, 'app.kubernetes.io/component': 'server' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ protocol: 'TCP', port: 587 }] },
        {
          to: [
            { ipBlock: { cidr: '198.51.100.0/24' } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } } },
          ],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 9000 },
          ],
        },
      ],
    });
  });

  test('lets a peer of the namespace in from a list that also holds an address block', () => {
    // GIVEN DNS both at a node-local address and in pods of this namespace
    const n = network({
      egress: [
        {
          to: [{ cidr: '169.254.20.10/32' }, { namespace: 'shop', podLabels: { app: 'dns' } }],
          ports: [{ port: 53, protocol: 'UDP' }],
          peerIngress: { id: 'AllowDnsIngress', name: 'shop-to-dns' },
        },
      ],
    });
    // WHEN built  THEN the pods of this namespace let the servers in
    expect(policy(n, 'shop-to-dns').spec.podSelector).toEqual({ matchLabels: { app: 'dns' } });
  });

  test('fails when an egress rule has no ports', () => {
    // GIVEN a further egress rule with ports []  WHEN built  THEN refused: it would allow every port
    expect(() =>
      network({
        egressPolicies: [{ id: 'X', name: 'x', selector, egress: [{ to: { cidr: '192.0.2.0/24' }, ports: [] }] }],
      }),
    ).toThrow(/egressPolicies X egress\[0\]: ports got \[\]; allowed: at least one port/);
  });

  test('fails when a peer list is empty', () => {
    // GIVEN a caller with from []  WHEN built  THEN refused
    expect(() => network({ allowIngress: [{ id: 'A', name: 'a', from: [] }] })).toThrow(
      /allowIngress A: peers got \[\]; allowed: at least one peer/,
    );
  });

  test('fails when a further egress policy selects every pod', () => {
    // GIVEN a selector {}  WHEN built  THEN refused
    expect(() =>
      network({
        egressPolicies: [
          { id: 'X', name: 'x', selector: {}, egress: [{ to: { cidr: '192.0.2.0/24' }, ports: [{ port: 1 }] }] },
        ],
      }),
    ).toThrow(/egressPolicies X selector got \{\}/);
  });

  test('fails when a further egress policy has no rule', () => {
    // GIVEN egress []  WHEN built  THEN refused: an egress policy without rules denies, it allows nothing
    expect(() => network({ egressPolicies: [{ id: 'X', name: 'x', selector, egress: [] }] })).toThrow(
      /egressPolicies X egress got \[\]; allowed: at least one rule/,
    );
  });

  test('fails when a peer has an except but no cidr', () => {
    // GIVEN a namespace peer with an except  WHEN built  THEN refused
    expect(() =>
      network({ egress: [{ to: { namespace: 'db', except: ['10.0.0.0/24'] }, ports: [{ port: 5432 }] }] }),
    ).toThrow(/egress\[0\]: peer got .*allowed: a cidr, or a namespace/);
  });

  test('fails when two peers of one list with peerIngress run in the namespace', () => {
    // GIVEN two local peers  WHEN built  THEN refused: one ingress policy selects one set of pods
    expect(() =>
      network({
        egress: [
          {
            to: [
              { namespace: 'shop', podLabels: { a: '1' } },
              { namespace: 'shop', podLabels: { b: '2' } },
            ],
            ports: [{ port: 5432 }],
            peerIngress: { id: 'P', name: 'p' },
          },
        ],
      }),
    ).toThrow(/egress\[0\] got 2 peers in namespace shop with peerIngress; allowed: one/);
  });
});

const service = (ingress: IngressProps) =>
  new WebService(chart(), 'S', { name: 'shop', namespace: 'shop', labels: selector, selector, port: 8080, ingress });

describe('WebService Ingress', () => {
  test('sends every host and path to the Service, with TLS for every host', () => {
    // GIVEN two hosts, one with two paths
    const ingress = service({
      hosts: [
        {
          host: 'shop.example.com',
          paths: [{ path: '/api' }, { path: '/healthz', pathType: 'Exact' }],
        },
        { host: 'www.shop.example.com' },
      ],
      tlsSecretName: 'shop-tls',
    }).ingress!.toJson();
    const backend = { service: { name: 'shop', port: { name: 'http' } } };
    // WHEN built  THEN
    expect(ingress.spec).toEqual({
      tls: [{ hosts: ['shop.example.com', 'www.shop.example.com'], secretName: 'shop-tls' }],
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/api', pathType: 'Prefix', backend },
              { path: '/healthz', pathType: 'Exact', backend },
            ],
          },
        },
        { host: 'www.shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } },
      ],
    });
  });

  test('fails when both host and hosts are given', () => {
    // GIVEN both forms  WHEN built  THEN refused
    expect(() => service({ host: 'a.example.com', hosts: [{ host: 'b.example.com' }] })).toThrow(
      /ingress "shop": got both host and hosts; allowed: one of them/,
    );
  });

  test('fails when no host is given', () => {
    // GIVEN neither form  WHEN built  THEN refused
    expect(() => service({})).toThrow(/ingress "shop": got neither host nor hosts/);
  });

  test('fails when a host is given twice', () => {
    // GIVEN one host twice  WHEN built  THEN refused
    expect(() => service({ hosts: [{ host: 'a.example.com' }, { host: 'a.example.com' }] })).toThrow(
      /host "a.example.com" given twice/,
    );
  });

  test('fails when a path is not absolute', () => {
    // GIVEN path "api"  WHEN built  THEN refused
    expect(() => service({ hosts: [{ host: 'a.example.com', paths: [{ path: 'api' }] }] })).toThrow(
      /path got "api"; allowed: an absolute path/,
    );
  });

  test('fails when a host has no paths', () => {
    // GIVEN paths []  WHEN built  THEN refused
    expect(() => service({ hosts: [{ host: 'a.example.com', paths: [] }] })).toThrow(/paths got \[\]/);
  });
});

const route = (over: Partial<HttpRouteProps>) =>
  new HttpRoute(chart(), 'R', {
    name: 'shop',
    namespace: 'shop',
    labels: selector,
    gateway: { name: 'gw', namespace: 'gateways' },
    hostnames: ['shop.example.com'],
    serviceName: 'shop',
    servicePort: 8080,
    ...over,
  }).route.toJson();

describe('HttpRoute matches and timeouts', () => {
  test('routes the matching requests only, with the CRD defaults written out, and sets the timeouts', () => {
    // GIVEN a path match, a header match with a method, and timeouts
    const spec = route({
      matches: [
        { path: { value: '/api' } },
        { headers: [{ name: 'X-Canary', value: 'yes' }], method: 'POST' },
        {
          path: { type: 'Exact', value: '/upload' },
          headers: [{ name: 'x-v', value: '^2', type: 'RegularExpression' }],
        },
      ],
      timeouts: { request: '1m', backendRequest: '45s' },
    }).spec;
    // WHEN built  THEN the rule says exactly that
    expect(spec.rules).toEqual([
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/api' } },
          {
            path: { type: 'PathPrefix', value: '/' },
            headers: [{ name: 'X-Canary', value: 'yes', type: 'Exact' }],
            method: 'POST',
          },
          {
            path: { type: 'Exact', value: '/upload' },
            headers: [{ name: 'x-v', value: '^2', type: 'RegularExpression' }],
          },
        ],
        backendRefs: [{ group: '', kind: 'Service', name: 'shop', port: 8080, weight: 1 }],
        timeouts: { request: '1m', backendRequest: '45s' },
      },
    ]);
  });

  test('fails when the backend timeout is longer than the request timeout', () => {
    // GIVEN backendRequest 2m under request 1m  WHEN built  THEN refused
    expect(() => route({ timeouts: { request: '1m', backendRequest: '2m' } })).toThrow(
      /timeouts.backendRequest got "2m", longer than request "1m"/,
    );
  });

  test('fails when a timeout is not a Gateway API duration', () => {
    // GIVEN "1.5s" (no fractions)  WHEN built  THEN refused
    expect(() => route({ timeouts: { request: '1.5s' } })).toThrow(
      /timeouts.request got "1.5s"; allowed: a Gateway API duration/,
    );
  });

  test('fails when there are more matches than the CRD allows', () => {
    // GIVEN nine matches  WHEN built  THEN refused
    expect(() => route({ matches: Array.from({ length: 9 }, (_, i) => ({ path: { value: `/${i}` } })) })).toThrow(
      /matches got 9; allowed: 1 to 8/,
    );
  });
});

const hpa = (autoscaling: AutoscalingProps) =>
  new Availability(chart(), 'A', {
    name: 'shop',
    namespace: 'shop',
    labels: selector,
    selector,
    autoscaling,
  }).horizontalPodAutoscaler!.toJson().spec;

describe('Availability autoscaling on memory, with behavior', () => {
  test('aims at CPU and memory, and scales as the behavior says', () => {
    // GIVEN a memory target and both directions of behavior
    const spec = hpa({
      minReplicas: 2,
      maxReplicas: 6,
      targetMemoryUtilizationPercent: 80,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
        scaleDown: {
          stabilizationWindowSeconds: 600,
          selectPolicy: 'Min',
          policies: [
            { type: 'Percent', value: 10, periodSeconds: 60 },
            { type: 'Pods', value: 1, periodSeconds: 120 },
          ],
        },
      },
    });
    // WHEN built  THEN
    expect(spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
      scaleDown: {
        stabilizationWindowSeconds: 600,
        selectPolicy: 'Min',
        policies: [
          { type: 'Percent', value: 10, periodSeconds: 60 },
          { type: 'Pods', value: 1, periodSeconds: 120 },
        ],
      },
    });
  });

  test('leaves behavior out when none is given: the API server fills its defaults', () => {
    // GIVEN no behavior  WHEN built  THEN none in the spec
    expect(hpa({ minReplicas: 1, maxReplicas: 2 }).behavior).toBeUndefined();
  });

  const failing: Array<[string, AutoscalingProps['behavior'], RegExp]> = [
    [
      'a period is over 1800 s',
      { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } },
      /behavior.scaleUp.policies\[0\].periodSeconds got 1801; allowed: 1 to 1800/,
    ],
    [
      'a period is 0',
      { scaleDown: { policies: [{ type: 'Percent', value: 10, periodSeconds: 0 }] } },
      /behavior.scaleDown.policies\[0\].periodSeconds got 0; allowed: 1 to 1800/,
    ],
    [
      'a stabilization window is over an hour',
      { scaleDown: { stabilizationWindowSeconds: 3601 } },
      /behavior.scaleDown.stabilizationWindowSeconds got 3601; allowed: 0 to 3600/,
    ],
    [
      'a policy value is 0',
      { scaleUp: { policies: [{ type: 'Pods', value: 0, periodSeconds: 60 }] } },
      /behavior.scaleUp.policies\[0\].value got 0; allowed: a whole number above 0/,
    ],
    [
      'the policies are an empty list',
      { scaleUp: { policies: [] } },
      /behavior.scaleUp.policies got \[\]; allowed: at least one policy/,
    ],
  ];
  test.each(failing)('fails when %s', (_, behavior, message) => {
    // GIVEN the behavior  WHEN built  THEN refused as the API server would
    expect(() => hpa({ minReplicas: 1, maxReplicas: 2, behavior })).toThrow(message);
  });

  test('fails when the memory target is not a whole percentage', () => {
    // GIVEN 0  WHEN built  THEN refused
    expect(() => hpa({ minReplicas: 1, maxReplicas: 2, targetMemoryUtilizationPercent: 0 })).toThrow(
      /memory utilization 0; allowed: a whole percentage above 0/,
    );
  });
});
