import { checkRenderedDelivery } from '../lib/delivery';
import { readYaml, toYaml } from '../lib/yaml';
import { ENVIRONMENT_README } from '../lib/environment-readme';
import { identityErrors } from '../lib/environments';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { verifyManifests } from '../lib/verify';
import { validateWithCrdModels } from './crd-models';
import { configFrom, fixtureConfig, minimalConfig, productionConfig } from './helpers';

const ROUTE = { gateway: { name: 'public', namespace: 'gateway-system' }, hostnames: ['api.example.com'] };
const API = {
  'app.kubernetes.io/name': 'reviewpoint-backend',
  'app.kubernetes.io/instance': 'reviewpoint-backend-test',
  'app.kubernetes.io/component': 'api',
};
const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

/** the config as plain data, changed by `edit`, then synthesized */
function objectsOf(edit: (c: Record<string, any>) => void, base = minimalConfig): any[] {
  const c = base();
  edit(c);
  return synthesizeObjects(configFrom(c)) as any[];
}
const policy = (objects: any[], name: string) =>
  objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);

/** expects `edit` of the base config to be refused with `message` */
function expectRefused(edit: (c: Record<string, any>) => void, message: RegExp, base = minimalConfig): void {
  const c = base();
  edit(c);
  expect(() => configFrom(c)).toThrow(message);
}

describe('peer fields take a peer or a list of peers', () => {
  test('a single peer gives the same policies as the list of that one peer', () => {
    // GIVEN the same peers, written once as single peers and once as lists of one
    const single = objectsOf((c) => {
      c.route = { ...ROUTE, allowFrom: { namespace: 'envoy-gateway-system' } };
      c.serviceMonitor = { allowFrom: { namespace: 'monitoring' } };
    });
    const listed = objectsOf((c) => {
      c.database.egress = [c.database.egress];
      c.allowIngressFrom = [c.allowIngressFrom];
      c.route = { ...ROUTE, allowFrom: [{ namespace: 'envoy-gateway-system' }] };
      c.serviceMonitor = { allowFrom: [{ namespace: 'monitoring' }] };
      c.dns = { peers: [{ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }] };
    });
    // WHEN both are synthesized  THEN the objects are the same
    expect(listed).toEqual(single);
  });

  test('admits every peer of each list: a frontend beside the ingress controller, two scrapers, two gateways', () => {
    // GIVEN lists in every peer field
    const objects = objectsOf((c) => {
      c.allowIngressFrom = [
        { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        { namespace: 'frontend', podLabels: { app: 'web' } },
      ];
      c.route = { ...ROUTE, allowFrom: [{ namespace: 'envoy-gateway-system' }, { cidr: '10.100.0.0/16' }] };
      c.serviceMonitor = { allowFrom: [{ namespace: 'monitoring' }, { namespace: 'observability' }] };
      c.database.egress = [{ cidr: '10.0.0.0/24' }, { cidr: '10.0.1.0/24' }];
    });
    // WHEN synthesized  THEN each list is the peers of one rule
    expect(policy(objects, 'reviewpoint-backend-ingress').spec.ingress[0].from).toEqual([
      { ...ns('ingress-nginx'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } },
      { ...ns('frontend'), podSelector: { matchLabels: { app: 'web' } } },
    ]);
    expect(policy(objects, 'reviewpoint-backend-from-gateway').spec.ingress[0].from).toEqual([
      ns('envoy-gateway-system'),
      { ipBlock: { cidr: '10.100.0.0/16' } },
    ]);
    expect(policy(objects, 'reviewpoint-backend-from-monitoring').spec.ingress[0].from).toEqual([
      ns('monitoring'),
      ns('observability'),
    ]);
    expect(policy(objects, 'reviewpoint-backend-egress').spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: '10.0.1.0/24' } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
  });

  test('takes an except inside a CIDR', () => {
    // GIVEN a database range with a hole
    const objects = objectsOf((c) => {
      c.database.egress = { cidr: '10.0.0.0/16', except: ['10.0.9.0/24'] };
    });
    // WHEN synthesized  THEN the ipBlock carries it
    expect(policy(objects, 'reviewpoint-backend-egress').spec.egress[1].to).toEqual([
      { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.9.0/24'] } },
    ]);
  });

  test('fails when a peer list is empty', () => {
    expectRefused((c) => {
      c.allowIngressFrom = [];
    }, /environment "test" \(config\/test\.yaml\), field allowIngressFrom: got a list \[\]; allowed: items >= 1/);
  });

  test('fails when a peer of a list is both a CIDR and pods, naming its place in the list', () => {
    expectRefused((c) => {
      c.database.egress = [{ cidr: '10.0.0.0/24' }, { cidr: '10.0.1.0/24', namespace: 'db' }];
    }, /field database\.egress\.1: got .*; allowed: either \{ cidr \} or \{ namespace, podLabels \}/);
  });

  test('fails when a peer of a list has an unknown key, with a hint', () => {
    expectRefused((c) => {
      c.serviceMonitor = { allowFrom: [{ namespace: 'monitoring' }, { namspace: 'observability' }] };
    }, /field serviceMonitor\.allowFrom\.1\.namspace: unknown key "namspace" \(did you mean "namespace"\?\)/);
  });

  test('fails when a peer is neither a mapping nor a list', () => {
    expectRefused((c) => {
      c.route = { ...ROUTE, allowFrom: 'envoy-gateway-system' };
    }, /field route\.allowFrom: got string "envoy-gateway-system"; allowed: a peer, \{ cidr, except \} or \{ namespace, podLabels \}, or a list of them/);
  });

  test('fails when a production ingress peer of a list reaches outside the private ranges', () => {
    // GIVEN a second, public caller in production  WHEN parsed  THEN the gate refuses that one, by its place
    expectRefused(
      (c) => {
        c.allowIngressFrom = [{ namespace: 'ingress-nginx' }, { cidr: '203.0.113.0/24' }];
      },
      /field allowIngressFrom\.1\.cidr: got "203\.0\.113\.0\/24" in a production environment: it reaches outside the private ranges/,
      productionConfig,
    );
  });

  test('fails when an except is not inside its CIDR', () => {
    expectRefused((c) => {
      c.database.egress = { cidr: '10.0.0.0/24', except: ['10.0.1.0/28'] };
    }, /field database\.egress\.except\.0: got "10\.0\.1\.0\/28", not a strict subset of cidr "10\.0\.0\.0\/24"/);
  });

  test('fails when an except is the whole CIDR', () => {
    expectRefused((c) => {
      c.database.egress = { cidr: '10.0.0.0/24', except: ['10.0.0.0/24'] };
    }, /database\.egress\.except\.0: got "10\.0\.0\.0\/24", not a strict subset/);
  });

  test('fails when an except has no CIDR', () => {
    expectRefused((c) => {
      c.database.egress = { namespace: 'db', except: ['10.0.0.0/24'] };
    }, /field database\.egress\.except: got \["10\.0\.0\.0\/24"\] without a cidr/);
  });
});

describe('dns.peers', () => {
  test('lets the pods reach NodeLocal DNSCache and CoreDNS, on the DNS port', () => {
    // GIVEN the node-local address beside the kube-dns pods
    const objects = objectsOf((c) => {
      c.dns = {
        peers: [{ cidr: '169.254.20.10/32' }, { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }],
      };
    });
    // WHEN synthesized  THEN the DNS rule of the egress policy has both, app and migration alike
    const egress = policy(objects, 'reviewpoint-backend-egress').spec;
    expect(egress.podSelector.matchLabels).not.toHaveProperty(['app.kubernetes.io/component']);
    expect(egress.egress[0]).toEqual({
      to: [
        { ipBlock: { cidr: '169.254.20.10/32' } },
        { ...ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    });
  });

  test('keeps dns.namespace and dns.podLabels, each defaulted on its own', () => {
    // GIVEN only the pod labels of another DNS  WHEN synthesized  THEN kube-system is kept
    const objects = objectsOf((c) => {
      c.dns = { podLabels: { 'k8s-app': 'coredns' } };
    });
    expect(policy(objects, 'reviewpoint-backend-egress').spec.egress[0].to).toEqual([
      { ...ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'coredns' } } },
    ]);
  });

  test('fails when dns.peers comes with dns.namespace', () => {
    expectRefused((c) => {
      c.dns = { namespace: 'kube-system', peers: [{ cidr: '169.254.20.10/32' }] };
    }, /field dns\.namespace: got "kube-system" next to dns\.peers; allowed: one of them/);
  });

  test('fails when a DNS peer is not a CIDR', () => {
    expectRefused((c) => {
      c.dns = { peers: [{ cidr: '169.254.20.10' }] };
    }, /field dns\.peers\.0\.cidr: got string "169\.254\.20\.10"; allowed: an IPv4 or IPv6 CIDR/);
  });

  test('fails when two DNS peers are pods of the environment namespace', () => {
    expectRefused((c) => {
      c.dns = {
        peers: [
          { namespace: 'rp-test', podLabels: { a: 'dns' } },
          { namespace: 'rp-test', podLabels: { b: 'dns' } },
        ],
      };
    }, /field dns\.peers: got 2 peers in the environment's namespace rp-test; allowed: one/);
  });
});

describe('top-level egress', () => {
  const withEgress = (c: Record<string, any>) => {
    c.egress = [
      { to: { cidr: '192.0.2.25/32' }, ports: [{ port: 587 }] },
      {
        to: [{ namespace: 'observability', podLabels: { app: 'otel-collector' } }, { cidr: '10.50.0.0/16' }],
        ports: [{ port: 4317 }, { port: 4318, protocol: 'TCP' }],
      },
    ];
  };

  test("lets the app's pods alone out to each entry, in a policy of its own; the migration keeps DNS and the database", () => {
    // GIVEN an SMTP relay and an OTLP collector
    const objects = objectsOf(withEgress);
    // WHEN synthesized  THEN
    expect(policy(objects, 'reviewpoint-backend-app-egress').spec).toEqual({
      podSelector: { matchLabels: API },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '192.0.2.25/32' } }], ports: [{ protocol: 'TCP', port: 587 }] },
        {
          to: [
            { ...ns('observability'), podSelector: { matchLabels: { app: 'otel-collector' } } },
            { ipBlock: { cidr: '10.50.0.0/16' } },
          ],
          ports: [
            { protocol: 'TCP', port: 4317 },
            { protocol: 'TCP', port: 4318 },
          ],
        },
      ],
    });
    const migration = objects.find((o) => o.kind === 'Job').spec.template.metadata.labels;
    expect(Object.entries(API).every(([k, v]) => migration[k] === v)).toBe(false);
    expect(() => verifyManifests(objects, { environment: 'test', production: false })).not.toThrow();
  });

  test('lets a worker and a cron job out where appliesTo says, each in a policy of its own', () => {
    // GIVEN a mailer worker and a nightly report, the mailer and the app sending mail
    const objects = objectsOf((c) => {
      c.database.maxConnections = 200;
      const worker = { command: ['/app/.venv/bin/python', '-m', 'mailer'], healthCommand: ['/bin/true'] };
      c.workers = { mailer: worker };
      c.cronJobs = { report: { command: ['/app/.venv/bin/python', '-m', 'report'], schedule: '@daily' } };
      c.egress = [
        { to: { cidr: '192.0.2.25/32' }, ports: [{ port: 587 }], appliesTo: ['workers.mailer', 'app'] },
        { to: { cidr: '198.51.100.0/24' }, ports: [{ port: 443 }], appliesTo: ['cronJobs.report'] },
      ];
    });
    // WHEN synthesized  THEN one policy per workload, each selecting that workload's pods
    const selector = (name: string) =>
      policy(objects, name).spec.podSelector.matchLabels['app.kubernetes.io/component'];
    expect(selector('reviewpoint-backend-worker-mailer-egress')).toBe('worker-mailer');
    expect(selector('reviewpoint-backend-app-egress')).toBe('api');
    expect(selector('reviewpoint-backend-cron-report-egress')).toBe('cron-report');
    expect(policy(objects, 'reviewpoint-backend-cron-report-egress').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    // and each selects pods that exist: the worker's and the cron job's pod templates carry the label
    const worker = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'reviewpoint-backend-worker-mailer',
    );
    const cron = objects.find((o) => o.kind === 'CronJob');
    expect(worker.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('worker-mailer');
    expect(cron.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('cron-report');
    expect(() => verifyManifests(objects, { environment: 'test', production: false })).not.toThrow();
  });

  test('fails when appliesTo names a workload the environment does not have', () => {
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '192.0.2.25/32' }, ports: [{ port: 587 }], appliesTo: ['workers.mailer'] }];
    }, /field egress\.0\.appliesTo\.0: got "workers\.mailer", which names no workload of this environment; allowed: app/);
  });

  test('fails when appliesTo names the migration', () => {
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '192.0.2.25/32' }, ports: [{ port: 587 }], appliesTo: ['migration'] }];
    }, /field egress\.0\.appliesTo\.0: got string "migration"; allowed: app, workers\.<name> or cronJobs\.<name>/);
  });

  test('writes no policy without entries', () => {
    // GIVEN no egress  WHEN synthesized  THEN no app-egress policy
    expect(
      policy(
        objectsOf(() => {}),
        'reviewpoint-backend-app-egress',
      ),
    ).toBeUndefined();
  });

  test('allows a public address in production: only ingress peers must be private', () => {
    // GIVEN a production environment sending mail through a public relay  WHEN parsed  THEN accepted
    const c = productionConfig();
    c.egress = [{ to: { cidr: '203.0.113.25/32' }, ports: [{ port: 465 }] }];
    expect(() => configFrom(c)).not.toThrow();
  });

  test('shows the entries in the environment README traffic diagram', () => {
    // GIVEN egress  WHEN the README is rendered
    const c = minimalConfig();
    withEgress(c);
    const readme = renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)!;
    // THEN the app's pods have an arrow to each peer, with its ports, and the migration none
    expect(readme).toMatch(/peer\d+\["egress of app<br\/>192\.0\.2\.25\/32"\]/);
    expect(readme).toMatch(/api -->\|"TCP 4317, TCP 4318"\| peer\d+/);
    expect(readme).not.toMatch(/migration -->\|"TCP 587"\|/);
  });

  test('fails when an entry has no ports', () => {
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '192.0.2.25/32' } }];
    }, /field egress\.0\.ports: missing; allowed: a list/);
  });

  test('fails when an entry has an empty list of ports', () => {
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '192.0.2.25/32' }, ports: [] }];
    }, /field egress\.0\.ports: got a list \[\]; allowed: items >= 1/);
  });

  test('fails when an entry has no peers', () => {
    expectRefused((c) => {
      c.egress = [{ to: [], ports: [{ port: 443 }] }];
    }, /field egress\.0\.to: got a list \[\]; allowed: items >= 1/);
  });

  test('fails when a port has an unknown protocol', () => {
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '192.0.2.25/32' }, ports: [{ port: 443, protocol: 'HTTP' }] }];
    }, /field egress\.0\.ports\.0\.protocol: got string "HTTP"; allowed: one of "TCP", "UDP", "SCTP"/);
  });

  test("fails when an entry goes to pods of the environment's own namespace", () => {
    expectRefused((c) => {
      c.egress = [{ to: { namespace: 'rp-test', podLabels: { app: 'cache' } }, ports: [{ port: 6379 }] }];
    }, /field egress\.0\.to\.namespace: got "rp-test", the environment's own namespace/);
  });

  test('fails when an entry goes to every address, however it is spelled', () => {
    // GIVEN prefix 0 in IPv4 (with host bits) and IPv6  WHEN parsed  THEN refused by the gate's CIDR check
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '10.0.0.0/0' }, ports: [{ port: 443 }] }];
    }, /field egress\.0\.to\.cidr: got "10\.0\.0\.0\/0": prefix \/0 is every IPv4 address/);
    expectRefused((c) => {
      c.egress = [{ to: [{ cidr: '192.0.2.0/24' }, { cidr: '::/0' }], ports: [{ port: 443 }] }];
    }, /field egress\.0\.to\.1\.cidr: got "::\/0": prefix \/0 is every IPv6 address/);
  });

  test('fails when an except has host bits set', () => {
    expectRefused((c) => {
      c.egress = [{ to: { cidr: '192.0.2.0/24', except: ['192.0.2.5/30'] }, ports: [{ port: 443 }] }];
    }, /field egress\.0\.to\.except\.0: got "192\.0\.2\.5\/30": host bits are set beyond \/30/);
  });

  test('the delivery check catches an app egress to pods of the namespace that do not let the app in', () => {
    // GIVEN the rendered app-egress policy edited to reach pods of its own namespace
    const c = minimalConfig();
    withEgress(c);
    const config = configFrom(c);
    const rendered = renderEnvironment(config);
    const files = new Map(rendered.files);
    const file = [...files.keys()].find((f) => f.endsWith('networkpolicy-reviewpoint-backend-app-egress.yaml'))!;
    const object: any = readYaml(files.get(file)!);
    object.spec.egress[0].to = [{ podSelector: { matchLabels: { app: 'cache' } } }];
    files.set(file, toYaml(object));
    // WHEN the delivery model reads it  THEN the network closure names the traffic that goes nowhere
    expect(
      checkRenderedDelivery(config, { ...rendered, files })
        .filter((v) => v.rule === 'network-closure')
        .map((v) => v.message),
    ).toEqual([
      expect.stringMatching(
        /spec\.egress\[0\] lets pods .* reach pods \{"app":"cache"\} of namespace rp-test on TCP 587/,
      ),
    ]);
  });
});

describe('Ingress hosts and paths', () => {
  const hosts = [
    { host: 'api.example.com', paths: [{ path: '/api' }, { path: '/docs', pathType: 'Exact' }] },
    { host: 'api.example.org' },
  ];

  test('routes every host and path, with TLS for every host', () => {
    // GIVEN two hosts, one with two paths
    const objects = objectsOf((c) => {
      c.ingress = { hosts, tlsSecretName: 'api-tls' };
    });
    const ingress = objects.find((o) => o.kind === 'Ingress');
    const backend = { service: { name: 'reviewpoint-backend', port: { name: 'http' } } };
    // WHEN synthesized  THEN
    expect(ingress.spec).toEqual({
      tls: [{ hosts: ['api.example.com', 'api.example.org'], secretName: 'api-tls' }],
      rules: [
        {
          host: 'api.example.com',
          http: {
            paths: [
              { path: '/api', pathType: 'Prefix', backend },
              { path: '/docs', pathType: 'Exact', backend },
            ],
          },
        },
        { host: 'api.example.org', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } },
      ],
    });
    expect(validateSchema(ingress)).toEqual([]);
  });

  test('lists every URL in the environment README', () => {
    const c = minimalConfig();
    c.ingress = { hosts, tlsSecretName: 'api-tls' };
    const readme = renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)!;
    expect(readme).toContain(
      'Ingress `reviewpoint-backend`: **https://api.example.com/api**, **https://api.example.com/docs** (Exact), TLS from Secret `api-tls`.',
    );
    expect(readme).toContain('Ingress `reviewpoint-backend`: **https://api.example.org/**, TLS from Secret `api-tls`.');
  });

  test('fails when both host and hosts are given', () => {
    expectRefused((c) => {
      c.ingress = { host: 'api.example.com', hosts };
    }, /field ingress: got both host and hosts; allowed: host \(one host, every path\) or hosts/);
  });

  test('fails when neither host nor hosts is given', () => {
    expectRefused((c) => {
      c.ingress = { className: 'nginx' };
    }, /field ingress: got neither host nor hosts/);
  });

  test('fails when a host is listed twice', () => {
    expectRefused((c) => {
      c.ingress = { hosts: [{ host: 'api.example.com' }, { host: 'api.example.com' }] };
    }, /field ingress\.hosts\.1\.host: got "api\.example\.com" twice/);
  });

  test('fails when a path is listed twice for a host', () => {
    expectRefused((c) => {
      c.ingress = { hosts: [{ host: 'api.example.com', paths: [{ path: '/api' }, { path: '/api' }] }] };
    }, /field ingress\.hosts\.0\.paths\.1\.path: got "\/api" \(Prefix\) twice/);
  });

  test('fails when a path is not absolute', () => {
    expectRefused((c) => {
      c.ingress = { hosts: [{ host: 'api.example.com', paths: [{ path: 'api' }] }] };
    }, /field ingress\.hosts\.0\.paths\.0\.path: got string "api"; allowed: an absolute path/);
  });

  test('fails when a path has a segment the API server refuses', () => {
    expectRefused((c) => {
      c.ingress = { hosts: [{ host: 'api.example.com', paths: [{ path: '/api/../admin' }] }] };
    }, /field ingress\.hosts\.0\.paths\.0\.path: got "\/api\/\.\.\/admin": contains "\/\.\.\/"/);
  });

  test('fails when a production Ingress has no TLS', () => {
    expectRefused(
      (c) => {
        c.ingress = { host: 'api.example.com' };
      },
      /environment "test" \(config\/test\.yaml\), field ingress\.tlsSecretName: missing in a production environment \(hosts \["api\.example\.com"\]\)/,
      productionConfig,
    );
  });

  test('fails when two environments share a host of ingress.hosts', () => {
    // GIVEN alpha's route and beta's second Ingress host are the same
    const alpha = configFrom({ ...minimalConfig(), route: ROUTE }, 'alpha');
    const beta = configFrom(
      {
        ...minimalConfig(),
        namespace: 'rp-beta',
        ingress: { hosts: [{ host: 'b.example.com' }, { host: 'api.example.com' }] },
      },
      'beta',
    );
    // WHEN their identities are compared  THEN the collision names the field and both environments
    expect(identityErrors([alpha, beta], (e) => `config/${e}.yaml`).map((e) => e.message)).toEqual([
      expect.stringMatching(
        /environment "beta" \(config\/beta\.yaml\), field ingress\.hosts\.1\.host: got "api\.example\.com", the host of environment "alpha"/,
      ),
    ]);
  });
});

describe('HTTPRoute matches and timeouts', () => {
  const route = {
    ...ROUTE,
    matches: [
      { path: { value: '/api' } },
      { path: { type: 'Exact', value: '/upload' }, method: 'POST', headers: [{ name: 'X-Client', value: 'web' }] },
    ],
    timeouts: { request: '5m', backendRequest: '4m30s' },
  };

  test('routes what the matches say, with the timeouts, valid for the CRD', () => {
    // GIVEN matches and timeouts
    const objects = objectsOf((c) => {
      c.route = route;
    });
    const httpRoute = objects.find((o) => o.kind === 'HTTPRoute');
    // WHEN synthesized  THEN
    expect(httpRoute.spec.rules).toEqual([
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/api' } },
          {
            path: { type: 'Exact', value: '/upload' },
            headers: [{ name: 'X-Client', value: 'web', type: 'Exact' }],
            method: 'POST',
          },
        ],
        backendRefs: [{ group: '', kind: 'Service', name: 'reviewpoint-backend', port: 8000, weight: 1 }],
        timeouts: { request: '5m', backendRequest: '4m30s' },
      },
    ]);
    expect(validateSchema(httpRoute)).toEqual([]);
    expect(validateWithCrdModels(httpRoute)).toEqual([]);
  });

  test('says so in the environment README', () => {
    const c = minimalConfig();
    c.route = route;
    expect(renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)).toContain(
      'HTTPRoute `reviewpoint-backend`: **api.example.com** (/api; POST /upload (Exact) with header X-Client), timeouts request 5m, backend 4m30s through Gateway',
    );
  });

  test('keeps the staging route as it was: every path, no timeouts', () => {
    const r = synthesizeObjects(fixtureConfig('staging')).find((o) => o.kind === 'HTTPRoute') as any;
    expect(r.spec.rules[0]).not.toHaveProperty('timeouts');
    expect(r.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
  });

  test('fails when the backend timeout is longer than the request timeout', () => {
    expectRefused((c) => {
      c.route = { ...ROUTE, timeouts: { request: '30s', backendRequest: '1m' } };
    }, /field route\.timeouts\.backendRequest: got "1m", longer than request "30s"; allowed: at most the request timeout/);
  });

  test('fails when a timeout is not a Gateway API duration', () => {
    expectRefused((c) => {
      c.route = { ...ROUTE, timeouts: { request: '30 s' } };
    }, /field route\.timeouts\.request: got string "30 s"; allowed: a Gateway API duration/);
  });

  test('fails when a path match is not absolute', () => {
    expectRefused((c) => {
      c.route = { ...ROUTE, matches: [{ path: { value: 'api' } }] };
    }, /field route\.matches\.0\.path\.value: got "api": not an absolute path/);
  });

  test('fails when a match names one header twice', () => {
    expectRefused((c) => {
      c.route = {
        ...ROUTE,
        matches: [
          {
            headers: [
              { name: 'X-Client', value: 'a' },
              { name: 'x-client', value: 'b' },
            ],
          },
        ],
      };
    }, /field route\.matches\.0\.headers\.1\.name: got "x-client" twice/);
  });

  test('fails when a method is not an HTTP method the CRD knows', () => {
    expectRefused((c) => {
      c.route = { ...ROUTE, matches: [{ method: 'get' }] };
    }, /field route\.matches\.0\.method: got string "get"; allowed: one of "GET"/);
  });

  test('fails when there are more than 8 matches', () => {
    expectRefused((c) => {
      c.route = { ...ROUTE, matches: Array.from({ length: 9 }, (_, i) => ({ path: { value: `/${i}` } })) };
    }, /field route\.matches: got a list .*; allowed: items <= 8/);
  });
});

describe('autoscaling on memory, with behavior', () => {
  const autoscaled = (autoscaling: Record<string, unknown>) => (c: Record<string, any>) => {
    delete c.app.replicas;
    c.migration.strategy = 'job';
    c.app.autoscaling = { minReplicas: 1, maxReplicas: 3, ...autoscaling };
  };

  test('aims at memory too, and scales down slowly as the behavior says', () => {
    // GIVEN a memory target and a scale-down behavior
    const objects = objectsOf(
      autoscaled({
        targetMemoryUtilizationPercent: 75,
        behavior: {
          scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
          scaleUp: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
        },
      }),
    );
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    // WHEN synthesized  THEN
    expect(hpa.spec.metrics[1]).toEqual({
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } },
    });
    expect(hpa.spec.behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
      scaleUp: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
    });
    expect(validateSchema(hpa)).toEqual([]);
  });

  test('says so in the environment README', () => {
    // GIVEN a memory target and a slow scale-down  WHEN the README is rendered
    const c = minimalConfig();
    autoscaled({
      targetMemoryUtilizationPercent: 75,
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
      },
    })(c);
    // THEN the scaling line names both targets and the shaped direction
    expect(renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)).toContain(
      'Replicas: 1 to 3, HorizontalPodAutoscaler at 70% CPU and 75% memory; behavior: scaleDown window 600 s 1 policy.',
    );
  });

  test('fails when a policy period is longer than 1800 s', () => {
    expectRefused(
      autoscaled({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } } }),
      /field app\.autoscaling\.behavior\.scaleUp\.policies\.0\.periodSeconds: got number 3600; allowed: <= 1800/,
    );
  });

  test('fails when a stabilization window is longer than an hour', () => {
    expectRefused(
      autoscaled({ behavior: { scaleDown: { stabilizationWindowSeconds: 7200 } } }),
      /field app\.autoscaling\.behavior\.scaleDown\.stabilizationWindowSeconds: got number 7200; allowed: <= 3600/,
    );
  });

  test('fails when a policy type is neither Pods nor Percent', () => {
    expectRefused(
      autoscaled({ behavior: { scaleUp: { policies: [{ type: 'pods', value: 1, periodSeconds: 60 }] } } }),
      /field app\.autoscaling\.behavior\.scaleUp\.policies\.0\.type: got string "pods"; allowed: one of "Pods", "Percent"/,
    );
  });

  test('fails when the policies are an empty list', () => {
    expectRefused(
      autoscaled({ behavior: { scaleUp: { policies: [] } } }),
      /field app\.autoscaling\.behavior\.scaleUp\.policies: got a list \[\]; allowed: items >= 1/,
    );
  });

  test('fails when the memory target is above 100 percent', () => {
    expectRefused(
      autoscaled({ targetMemoryUtilizationPercent: 150 }),
      /field app\.autoscaling\.targetMemoryUtilizationPercent: got number 150; allowed: <= 100/,
    );
  });
});

describe('data planes', () => {
  test('admits a GKE Gateway in production by the Google front-end ranges, through every gate', () => {
    // GIVEN a production route whose proxies are Google's front ends
    const c = productionConfig();
    c.route = { ...ROUTE, allowFrom: [{ cidr: '35.191.0.0/16' }, { cidr: '130.211.0.0/22' }] };
    // WHEN synthesized and checked as production
    const objects = synthesizeObjects(configFrom(c)) as any[];
    // THEN both ranges are admitted to port 8000, and the gate accepts them
    expect(policy(objects, 'reviewpoint-backend-from-gateway').spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '35.191.0.0/16' } },
      { ipBlock: { cidr: '130.211.0.0/22' } },
    ]);
    expect(() => verifyManifests(objects, { environment: 'test', production: true })).not.toThrow();
  });

  test('fails when a production gateway peer is a public range beside the Google front ends', () => {
    expectRefused(
      (c) => {
        c.route = { ...ROUTE, allowFrom: [{ cidr: '35.191.0.0/16' }, { cidr: '35.192.0.0/16' }] };
      },
      /field route\.allowFrom\.1\.cidr: got "35\.192\.0\.0\/16" in a production environment: it reaches outside the private ranges.*or inside Google's front ends 35\.191\.0\.0\/16, 130\.211\.0\.0\/22/,
      productionConfig,
    );
  });

  test('admits ingress-nginx on the host network by the node CIDR, and Envoy Gateway by its proxy labels', () => {
    // GIVEN both data planes at once
    const objects = objectsOf((c) => {
      c.allowIngressFrom = { cidr: '10.0.0.0/20' };
      c.route = {
        ...ROUTE,
        allowFrom: {
          namespace: 'envoy-gateway-system',
          podLabels: {
            'gateway.envoyproxy.io/owning-gateway-name': 'public',
            'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway-system',
          },
        },
      };
    }, productionConfig);
    // WHEN synthesized  THEN each has its policy
    expect(policy(objects, 'reviewpoint-backend-ingress').spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '10.0.0.0/20' } },
    ]);
    expect(policy(objects, 'reviewpoint-backend-from-gateway').spec.ingress[0].from).toEqual([
      {
        ...ns('envoy-gateway-system'),
        podSelector: {
          matchLabels: {
            'gateway.envoyproxy.io/owning-gateway-name': 'public',
            'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway-system',
          },
        },
      },
    ]);
  });
});
