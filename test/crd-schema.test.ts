import { spawnSync } from 'node:child_process';
import { validateSchema } from '../lib/schema';
import { validateWithCrdModels } from './crd-models';
import { synthesizeObjects } from '../lib/render';
import { verifyManifests } from '../lib/verify';
import { committedConfig, ENVIRONMENTS, ROOT, fixtureConfig, stagingRouteSpec } from './helpers';

/** the kinds of the app's custom resources: everything the synth writes outside the core API */
const CUSTOM = new Set(['HTTPRoute', 'ServiceMonitor', 'ExternalSecret']);

const kustomization = (): any => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'reviewpoint-backend-prod-migration', namespace: 'flux-system' },
  spec: {
    interval: '10m',
    path: './dist/prod/migration',
    prune: true,
    wait: true,
    force: true,
    timeout: '11m',
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    dependsOn: [{ name: 'x' }],
    patches: [
      { target: { kind: 'Job', labelSelector: 'a=b' }, patch: '- op: remove\n  path: /spec/ttlSecondsAfterFinished\n' },
    ],
  },
});

const application = (): any => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: {
    name: 'reviewpoint-backend-prod',
    namespace: 'argocd',
    finalizers: ['resources-finalizer.argocd.argoproj.io'],
  },
  spec: {
    project: 'default',
    source: {
      repoURL: 'https://github.com/reviewpoint/reviewpoint-k8s.git',
      targetRevision: 'main',
      path: 'dist/prod',
    },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'reviewpoint-prod' },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: ['PrunePropagationPolicy=foreground'],
      retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
    },
  },
});

const httpRoute = (): any => {
  const spec = stagingRouteSpec();
  // a redirect filter too, so the sample covers more of the schema than the synth emits
  spec.rules[0].filters = [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }];
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'reviewpoint-backend', namespace: 'reviewpoint-staging' },
    spec,
  };
};

const serviceMonitor = (): any => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: {
    name: 'reviewpoint-backend',
    namespace: 'reviewpoint-staging',
    labels: { release: 'kube-prometheus-stack' },
  },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'reviewpoint-backend' } },
    endpoints: [{ port: 'http', path: '/api/v1/metrics', interval: '30s', scrapeTimeout: '10s' }],
  },
});

const externalSecret = (): any => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'reviewpoint-backend', namespace: 'reviewpoint-staging' },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
    target: { name: 'reviewpoint-backend', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    data: [{ secretKey: 'db-url', remoteRef: { key: 'reviewpoint/staging', property: 'db-url' } }],
  },
});

const messages = (obj: any): string[] => validateSchema(obj).map((v) => v.message);

describe.each([
  ['Flux Kustomization', kustomization],
  ['Argo CD Application', application],
  ['Gateway API HTTPRoute', httpRoute],
  ['Prometheus Operator ServiceMonitor', serviceMonitor],
  ['External Secrets ExternalSecret', externalSecret],
])('a valid %s', (_name, sample) => {
  test('matches the schema', () => {
    expect(validateSchema(sample())).toEqual([]);
  });

  test("passes the package's own validator", () => {
    expect(validateWithCrdModels(sample())).toEqual([]);
  });
});

type Case = [what: string, sample: () => any, change: (o: any) => void, message: string];

// Each case is also refused by the package's validator, so the two schemas agree on it
describe.each<Case>([
  [
    'a Kustomization field has the wrong type',
    kustomization,
    (k) => {
      k.spec.wait = 'yes';
    },
    'spec.wait: must be boolean (got "yes")',
  ],
  [
    'a Kustomization lacks spec.sourceRef',
    kustomization,
    (k) => {
      delete k.spec.sourceRef;
    },
    'spec: missing required field sourceRef',
  ],
  [
    'a Kustomization lacks spec.interval',
    kustomization,
    (k) => {
      delete k.spec.interval;
    },
    'spec: missing required field interval',
  ],
  [
    'a Kustomization lacks spec.prune',
    kustomization,
    (k) => {
      delete k.spec.prune;
    },
    'spec: missing required field prune',
  ],
  [
    'a Kustomization dependency has no name',
    kustomization,
    (k) => {
      k.spec.dependsOn = [{ namespace: 'flux-system' }];
    },
    'spec.dependsOn[0]: missing required field name',
  ],
  [
    'a Kustomization source kind is not one of the enumeration',
    kustomization,
    (k) => {
      k.spec.sourceRef.kind = 'GitRepo';
    },
    'spec.sourceRef.kind: must be one of OCIRepository, GitRepository, Bucket (got "GitRepo")',
  ],
  [
    'a Kustomization patch is not a string',
    kustomization,
    (k) => {
      k.spec.patches[0].patch = [{ op: 'remove' }];
    },
    'spec.patches[0].patch: must be string (got [{"op":"remove"}])',
  ],
  [
    'an Application field has the wrong type',
    application,
    (a) => {
      a.spec.syncPolicy.automated.selfHeal = 'yes';
    },
    'spec.syncPolicy.automated.selfHeal: must be boolean (got "yes")',
  ],
  [
    'an Application lacks spec.destination',
    application,
    (a) => {
      delete a.spec.destination;
    },
    'spec: missing required field destination',
  ],
  [
    'an Application lacks spec.project',
    application,
    (a) => {
      delete a.spec.project;
    },
    'spec: missing required field project',
  ],
  [
    'an Application lacks spec',
    application,
    (a) => {
      delete a.spec;
    },
    '(root): missing required field spec',
  ],
  [
    'an Application lacks metadata',
    application,
    (a) => {
      delete a.metadata;
    },
    '(root): missing required field metadata',
  ],
  [
    'an Application source has no repoURL',
    application,
    (a) => {
      delete a.spec.source.repoURL;
    },
    'spec.source: missing required field repoURL',
  ],
  [
    'an Application retry limit is not whole',
    application,
    (a) => {
      a.spec.syncPolicy.retry.limit = 1.5;
    },
    'spec.syncPolicy.retry.limit: must be integer (got 1.5)',
  ],
  [
    'an Application sync option is not a string',
    application,
    (a) => {
      a.spec.syncPolicy.syncOptions = [true];
    },
    'spec.syncPolicy.syncOptions[0]: must be string (got true)',
  ],
  [
    'an HTTPRoute lacks spec',
    httpRoute,
    (r) => {
      delete r.spec;
    },
    '(root): missing required field spec',
  ],
  [
    'an HTTPRoute parent has no name',
    httpRoute,
    (r) => {
      delete r.spec.parentRefs[0].name;
    },
    'spec.parentRefs[0]: missing required field name',
  ],
  [
    'an HTTPRoute backend port is not a number',
    httpRoute,
    (r) => {
      r.spec.rules[0].backendRefs[0].port = 'http';
    },
    'spec.rules[0].backendRefs[0].port: must be integer (got "http")',
  ],
  [
    'an HTTPRoute backend port is out of the int32 range',
    httpRoute,
    (r) => {
      r.spec.rules[0].backendRefs[0].port = 2 ** 31;
    },
    'spec.rules[0].backendRefs[0].port: must be a 32-bit integer (got 2147483648)',
  ],
  [
    'an HTTPRoute redirect status is not whole',
    httpRoute,
    (r) => {
      r.spec.rules[0].filters[0].requestRedirect.statusCode = 301.5;
    },
    'spec.rules[0].filters[0].requestRedirect.statusCode: must be integer (got 301.5)',
  ],
  [
    'an HTTPRoute path match type is unknown',
    httpRoute,
    (r) => {
      r.spec.rules[0].matches[0].path.type = 'Prefix';
    },
    'spec.rules[0].matches[0].path.type: must be one of Exact, PathPrefix, RegularExpression (got "Prefix")',
  ],
  [
    'a ServiceMonitor lacks endpoints',
    serviceMonitor,
    (m) => {
      delete m.spec.endpoints;
    },
    'spec: missing required field endpoints',
  ],
  [
    'a ServiceMonitor lacks a selector',
    serviceMonitor,
    (m) => {
      delete m.spec.selector;
    },
    'spec: missing required field selector',
  ],
  [
    'a ServiceMonitor honorLabels is not boolean',
    serviceMonitor,
    (m) => {
      m.spec.endpoints[0].honorLabels = 'yes';
    },
    'spec.endpoints[0].honorLabels: must be boolean (got "yes")',
  ],
  [
    'an ExternalSecret data item has no secretKey',
    externalSecret,
    (e) => {
      delete e.spec.data[0].secretKey;
    },
    'spec.data[0]: missing required field secretKey',
  ],
  [
    'an ExternalSecret remote reference has no key',
    externalSecret,
    (e) => {
      delete e.spec.data[0].remoteRef.key;
    },
    'spec.data[0].remoteRef: missing required field key',
  ],
  [
    'an ExternalSecret creation policy is unknown',
    externalSecret,
    (e) => {
      e.spec.target.creationPolicy = 'Always';
    },
    'spec.target.creationPolicy: must be one of Owner, Orphan, Merge, None (got "Always")',
  ],
  [
    'an ExternalSecret store name is not a string',
    externalSecret,
    (e) => {
      e.spec.secretStoreRef.name = 7;
    },
    'spec.secretStoreRef.name: must be string (got 7)',
  ],
])('fails when %s', (_what, sample, change, message) => {
  const obj = sample();
  change(obj);

  test('in the schema, naming the path and value', () => {
    expect(messages(obj)).toEqual([message]);
  });

  test("in the package's own validator too", () => {
    expect(validateWithCrdModels(obj)).not.toEqual([]);
  });
});

describe('unknown fields', () => {
  test.each<[string, () => any, (o: any) => void, string]>([
    [
      'a Kustomization',
      kustomization,
      (k) => {
        k.spec.dependOn = [{ name: 'x' }];
      },
      'unknown field spec.dependOn (not in the Flux Kustomization v1 schema)',
    ],
    [
      'a Kustomization metadata',
      kustomization,
      (k) => {
        k.metadata.label = { a: 'b' };
      },
      'unknown field metadata.label (not in the Flux Kustomization v1 schema)',
    ],
    [
      'an Application',
      application,
      (a) => {
        a.spec.syncPolicy.automated.prunee = true;
      },
      'unknown field spec.syncPolicy.automated.prunee (not in the Argo CD Application schema)',
    ],
    [
      'an Application status',
      application,
      (a) => {
        a.status = { sync: { status: 'Synced' } };
      },
      'unknown field status (not in the Argo CD Application schema)',
    ],
    [
      'an HTTPRoute',
      httpRoute,
      (r) => {
        r.spec.hostname = ['x.example.com'];
      },
      'unknown field spec.hostname (not in the Gateway API HTTPRoute v1 schema)',
    ],
    [
      'a ServiceMonitor endpoint',
      serviceMonitor,
      (m) => {
        m.spec.endpoints[0].metricsPath = '/metrics';
      },
      'unknown field spec.endpoints[0].metricsPath (not in the Prometheus Operator ServiceMonitor v1 schema)',
    ],
    [
      'an ExternalSecret target',
      externalSecret,
      (e) => {
        e.spec.target.secretName = 'x';
      },
      'unknown field spec.target.secretName (not in the External Secrets ExternalSecret v1 schema)',
    ],
  ])('fail in %s, naming the CRD schema', (_what, sample, change, message) => {
    const obj = sample();
    change(obj);
    expect(messages(obj)).toEqual([message]);
  });

  test("are let through by the packages' own validators, which is why the schema check runs as well", () => {
    const k = kustomization();
    k.spec.dependOn = [{ name: 'x' }];
    expect(validateWithCrdModels(k)).toEqual([]);
  });
});

describe('the CRD schema', () => {
  test("leaves string patterns to the packages' own validators", () => {
    const k = kustomization();
    k.spec.interval = '10 minutes';
    expect(messages(k)).toEqual([]);
    expect(validateWithCrdModels(k)).toEqual([expect.stringMatching(/^\/spec\/interval: must match pattern/)]);
  });

  test('reads ObjectMeta from the Kubernetes 1.28 schema', () => {
    const k = kustomization();
    k.metadata.labels = { tier: 1 };
    expect(messages(k)).toEqual(['metadata.labels.tier: must be string (got 1)']);
  });

  test('leaves Helm values free but requires a mapping', () => {
    const a = application();
    a.spec.source.helm = { valuesObject: { anything: [{ goes: true }] } };
    expect(messages(a)).toEqual([]);
    a.spec.source.helm.valuesObject = 'replicas: 2';
    expect(messages(a)).toEqual(['spec.source.helm.valuesObject: must be a mapping (got "replicas: 2")']);
  });

  test('takes an integer or a string where the CRD says int-or-string', () => {
    const a = application();
    a.spec.source.kustomize = {
      replicas: [
        { name: 'api', count: 2 },
        { name: 'worker', count: '3' },
        { name: 'half', count: 0.5 },
      ],
    };
    expect(messages(a)).toEqual(['spec.source.kustomize.replicas[2].count: must be integer or string (got 0.5)']);
  });

  test('fails when a Flux API version is not the one it knows, and says which it knows', () => {
    const k = { ...kustomization(), apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2' };
    expect(validateSchema(k)).toEqual([
      {
        rule: 'schema',
        object: 'Kustomization/reviewpoint-backend-prod-migration',
        message:
          'apiVersion kustomize.toolkit.fluxcd.io/v1beta2 kind Kustomization is in none of the known schemas: Kubernetes 1.28, Argo CD Application (argoproj.io/v1alpha1), External Secrets ExternalSecret v1 (external-secrets.io/v1), Gateway API HTTPRoute v1 (gateway.networking.k8s.io/v1), Flux Kustomization v1 (kustomize.toolkit.fluxcd.io/v1), Prometheus Operator ServiceMonitor v1 (monitoring.coreos.com/v1)',
      },
    ]);
  });

  test('knows ExternalSecret under v1 only: the operator stopped serving v1beta1 in v0.17', () => {
    expect(messages({ ...externalSecret(), apiVersion: 'external-secrets.io/v1beta1' })).toEqual([
      expect.stringMatching(
        /^apiVersion external-secrets\.io\/v1beta1 kind ExternalSecret is in none of the known schemas/,
      ),
    ]);
  });

  test("leaves an HTTPRoute's hostname pattern and redirect codes to the package's validator", () => {
    const r = httpRoute();
    r.spec.hostnames = ['API_Host'];
    r.spec.rules[0].filters[0].requestRedirect.statusCode = 307;
    expect(messages(r)).toEqual([]);
    expect(validateWithCrdModels(r)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/spec\/hostnames\/0: must match pattern/),
        expect.stringMatching(
          /^\/spec\/rules\/0\/filters\/0\/requestRedirect\/statusCode: must be equal to one of the allowed values/,
        ),
      ]),
    );
  });
});

describe('the CRD schema generator', () => {
  // a declaration of a kind, with `body` as its spec's members
  const declaration = (body: string) =>
    `export interface IWidget {\n    "apiVersion": "example.com/v1";\n    "kind": "Widget";\n    "spec"?: {\n${body}\n    };\n}\n`;
  const generate = (bodies: readonly string[]): string[] => {
    const script = `
      import { declaredSchema } from './scripts/import-crd-schema.mjs';
      const out = [];
      for (const body of JSON.parse(process.argv[1])) {
        try { out.push(JSON.stringify(Object.fromEntries(declaredSchema(body, 'Widget.d.ts', 'example.com/v1', 'Widget').definitions))); }
        catch (e) { out.push(e.message); }
      }
      console.log(JSON.stringify(out));`;
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify(bodies.map(declaration))],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
  };

  test('reads a union of whole-number literals as an integer', () => {
    const [out] = generate(['        "code"?: 301 | 302;']);
    expect(JSON.parse(out)['example.com.v1.Widget.spec']).toEqual([{ name: 'code', required: false, type: 'integer' }]);
  });

  test('reads fields, lists, maps, enumerations and nested objects', () => {
    const [out] = generate([
      '        "mode": "A" | "B";\n        "tags"?: Array<string>;\n        "labels"?: { [key: string]: string; };\n        "ref"?: { "name": string; };\n        "meta"?: IObjectMeta;',
    ]);
    expect(JSON.parse(out)).toEqual({
      'example.com.v1.Widget': [{ name: 'spec', required: false, type: '#example.com.v1.Widget.spec' }],
      'example.com.v1.Widget.spec': [
        { name: 'mode', required: true, type: 'enum(A|B)' },
        { name: 'tags', required: false, type: '[]string' },
        { name: 'labels', required: false, type: '{}string' },
        { name: 'ref', required: false, type: '#example.com.v1.Widget.spec.ref' },
        { name: 'meta', required: false, type: '#io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      ],
      'example.com.v1.Widget.spec.ref': [{ name: 'name', required: true, type: 'string' }],
    });
  });

  test('fails on any construct it does not understand, so an upgrade cannot weaken the check', () => {
    expect(
      generate([
        '        "a": string[];',
        '        "a": Date;',
        '        "a": string | boolean;',
        '        readonly "a": string;',
        '        "a": Record<string, string>;',
        '        "a": { [key: string]: string; "b": string; };',
        '        "a b": string;',
        '        "a": string',
      ]),
    ).toEqual([
      'Widget.d.ts:5: expected ;, found [',
      'Widget.d.ts:5: type Date is not understood',
      'Widget.d.ts:5: union boolean|string is not understood',
      'Widget.d.ts:5: expected a quoted field name or [key: string], found readonly',
      'Widget.d.ts:5: expected ;, found <',
      'Widget.d.ts:5: an object type with both fields and an index signature',
      'Widget.d.ts:5: field name "a b" cannot be written in the schema',
      'Widget.d.ts:6: expected ;, found }',
    ]);
  });
});

describe.each(ENVIRONMENTS)('the %s custom resources of the app', (env) => {
  const config = committedConfig(env);
  const custom = synthesizeObjects(config).filter((o) => CUSTOM.has(o.kind));

  test('are valid for their CRD schemas, as the synth checks them and as the packages do', () => {
    for (const o of custom) {
      expect(validateSchema(o)).toEqual([]);
      expect(validateWithCrdModels(o)).toEqual([]);
    }
  });
});

describe('the synth gate', () => {
  test('covers every custom kind and the Ingress between the committed configs', () => {
    const kinds = new Set(ENVIRONMENTS.flatMap((env) => synthesizeObjects(committedConfig(env)).map((o) => o.kind)));
    expect([...CUSTOM, 'Ingress'].filter((k) => !kinds.has(k))).toEqual([]);
  });

  test.each([
    [
      'HTTPRoute',
      (o: any) => {
        o.spec.rules[0].backendRefs[0].port = '8000';
      },
      /HTTPRoute\/reviewpoint-backend: \[schema\] spec\.rules\[0\]\.backendRefs\[0\]\.port: must be integer \(got "8000"\)/,
    ],
    [
      'ServiceMonitor',
      (o: any) => {
        o.spec.endpoints[0].targetPortName = 'http';
      },
      /ServiceMonitor\/reviewpoint-backend: \[schema\] unknown field spec\.endpoints\[0\]\.targetPortName \(not in the Prometheus Operator ServiceMonitor v1 schema\)/,
    ],
    [
      'ExternalSecret',
      (o: any) => {
        delete o.spec.data[0].remoteRef.key;
      },
      /ExternalSecret\/reviewpoint-backend: \[schema\] spec\.data\[0\]\.remoteRef: missing required field key/,
    ],
  ])('fails when the %s breaks its CRD schema', (kind, change, message) => {
    const config = fixtureConfig('staging');
    const objects = JSON.parse(JSON.stringify(synthesizeObjects(config)));
    change(objects.find((o: any) => o.kind === kind));
    expect(() => verifyManifests(objects, { environment: 'staging', production: config.production })).toThrow(message);
  });
});
