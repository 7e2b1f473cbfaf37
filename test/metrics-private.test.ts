import { stringify } from 'yaml';
import { readEnvironmentConfig } from '../lib/config';
import { checkRenderedDelivery } from '../lib/delivery';
import { ENVIRONMENT_README } from '../lib/environment-readme';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { verifyManifests } from '../lib/verify';
import { validateWithCrdModels } from './crd-models';
import { configFrom, productionConfig } from './helpers';

const METRICS = '/api/v1/metrics';
const ROUTE = { gateway: { name: 'public', namespace: 'gateway-system' }, hostnames: ['api.example.com'] };

/** production with both an Ingress and a route, changed by `edit` */
function prodEdge(edit: (c: Record<string, any>) => void = () => {}): Record<string, any> {
  const c = productionConfig();
  c.allowIngressFrom = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
  c.ingress = { host: 'api.example.com', className: 'nginx', tlsSecretName: 'api-tls' };
  c.route = { ...ROUTE };
  // a route bounds no request body, so production behind one states its largest
  c.app.maxBodySize = '10m';
  c.serviceMonitor = {};
  edit(c);
  return c;
}
const objectsOf = (c: Record<string, any>): any[] => synthesizeObjects(configFrom(c)) as any[];
const find = (objects: any[], kind: string) => objects.find((o) => o.kind === kind);

describe('the metrics path is private at the edge by default', () => {
  test('the route answers 404 for it and the Ingress sends it to a port with no endpoints', () => {
    // GIVEN production with an Ingress and a route, metrics left at the default
    const objects = objectsOf(prodEdge());
    // WHEN synthesized  THEN the route has a rule for it with no backend, after the app's rule
    expect(find(objects, 'HTTPRoute').spec.rules.slice(1)).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: METRICS } }] },
    ]);
    // AND the Ingress sends it to the Service's port "blocked", which targets no container port
    expect(find(objects, 'Ingress').spec.rules[0].http.paths).toEqual([
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'reviewpoint-backend', port: { name: 'http' } } } },
      {
        path: METRICS,
        pathType: 'Prefix',
        backend: { service: { name: 'reviewpoint-backend', port: { name: 'blocked' } } },
      },
    ]);
    const ports = find(objects, 'Service').spec.ports;
    expect(ports.map((p: any) => p.name)).toEqual(['http', 'blocked']);
    const container = find(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.ports.map((p: any) => p.name)).toEqual(['http']);
    // AND inside the cluster nothing changes: the probes ask the pod, the ServiceMonitor the Service's http port
    for (const probe of ['startupProbe', 'readinessProbe'])
      expect(container[probe].httpGet).toMatchObject({ path: METRICS, port: 'http' });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(find(objects, 'ServiceMonitor').spec.endpoints).toMatchObject([{ port: 'http', path: METRICS }]);
  });

  test('every gate passes: schemas, the API server and policy, and the delivery model', () => {
    // GIVEN production with an Ingress, a route and a ServiceMonitor
    const config = configFrom(prodEdge());
    const objects = synthesizeObjects(config) as any[];
    // WHEN the output is verified  THEN the HTTPRoute, with its rule without backendRefs, is valid
    const route = find(objects, 'HTTPRoute');
    expect(validateSchema(route)).toEqual([]);
    expect(validateWithCrdModels(route)).toEqual([]);
    // AND the manifests pass the schema, API server and policy gates
    expect(() => verifyManifests(objects, { environment: 'test', production: true })).not.toThrow();
    // AND the delivery model finds every Ingress backend in the output
    expect(checkRenderedDelivery(config, renderEnvironment(config))).toEqual([]);
  });

  test('metrics.public: true serves it at the edge like every other path', () => {
    // GIVEN the switch set
    const objects = objectsOf(prodEdge((c) => (c.metrics = { public: true })));
    // WHEN synthesized  THEN no blocking rule, path or Service port is written
    expect(find(objects, 'HTTPRoute').spec.rules).toHaveLength(1);
    expect(find(objects, 'Ingress').spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/']);
    expect(find(objects, 'Service').spec.ports.map((p: any) => p.name)).toEqual(['http']);
  });

  test('fails when metrics.public is not a boolean', () => {
    // GIVEN the switch as a string  WHEN the config is read  THEN it is refused, naming what is allowed
    expect(() => configFrom(prodEdge((c) => (c.metrics = { public: 'yes' })))).toThrow(
      'config error in environment "test" (config/test.yaml), field metrics.public: got string "yes"; allowed: true or false',
    );
  });

  test('fails when metrics has an unknown field', () => {
    // GIVEN a misspelt switch  WHEN the config is read  THEN it is refused
    expect(() => configFrom(prodEdge((c) => (c.metrics = { publc: true })))).toThrow(
      /environment "test" \(config\/test\.yaml\), field metrics.*publc/,
    );
  });

  test('fails when a route match is Exact on the metrics path', () => {
    // GIVEN a match that would win over the block  WHEN the config is read  THEN it is refused
    expect(() =>
      configFrom(
        prodEdge((c) => (c.route.matches = [{ path: { value: '/' } }, { path: { type: 'Exact', value: METRICS } }])),
      ),
    ).toThrow(
      'environment "test" (config/test.yaml), field route.matches.1.path: got "/api/v1/metrics", inside the blocked path /api/v1/metrics: an Exact path wins over the block and would route it to the app; allowed: a path outside /api/v1/metrics, or metrics.public: true to serve the metrics at the edge',
    );
  });

  test('fails when a route match is a RegularExpression while the metrics path is blocked', () => {
    // GIVEN a regular expression, whose precedence is the gateway's own  WHEN read  THEN it is refused
    expect(() =>
      configFrom(prodEdge((c) => (c.route.matches = [{ path: { type: 'RegularExpression', value: '/api/.*' } }]))),
    ).toThrow(/field route\.matches\.0\.path: got "\/api\/\.\*", a RegularExpression path.*or metrics\.public: true/);
  });

  test('fails when an Ingress path lies inside the metrics path', () => {
    // GIVEN a host path beneath the metrics path  WHEN the config is read  THEN it is refused
    expect(() =>
      configFrom(
        prodEdge((c) => {
          delete c.ingress.host;
          c.ingress.hosts = [{ host: 'api.example.com', paths: [{ path: '/' }, { path: `${METRICS}/detail` }] }];
        }),
      ),
    ).toThrow(
      /environment "test" \(config\/test\.yaml\), field ingress\.hosts\.0\.paths\.1\.path: got "\/api\/v1\/metrics\/detail", inside the blocked path \/api\/v1\/metrics: a prefix as long or longer wins/,
    );
  });

  test('with metrics.public: true, a path on the metrics is the user’s to route', () => {
    // GIVEN the switch and an Exact match on the metrics path  WHEN synthesized  THEN it is routed
    const objects = objectsOf(
      prodEdge((c) => {
        c.metrics = { public: true };
        c.route.matches = [{ path: { type: 'Exact', value: METRICS } }];
      }),
    );
    expect(find(objects, 'HTTPRoute').spec.rules).toHaveLength(1);
  });
});

describe('the environment README says what the edge does with the metrics path', () => {
  const readme = (c: Record<string, any>) => renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)!;

  test('names the 503 of the Ingress and the 404 of the route', () => {
    // GIVEN the default  WHEN the README is written  THEN the exposure says how each edge answers
    const text = readme(prodEdge());
    expect(text).toContain(
      "The Ingress sends `/api/v1/metrics` to the Service's port `blocked`, which has no endpoints: ingress-nginx answers 503.",
    );
    expect(text).toContain('The HTTPRoute answers 404 for `/api/v1/metrics` (a rule with no backend).');
    // AND the Ingress's URLs leave the blocked path out
    expect(text).toContain('Ingress `reviewpoint-backend`: **https://api.example.com/**, class');
  });

  test('says the metrics are public with the switch', () => {
    // GIVEN metrics.public: true  WHEN the README is written  THEN it says so, and no block
    const text = readme(prodEdge((c) => (c.metrics = { public: true })));
    expect(text).toContain(
      '`/api/v1/metrics` (Prometheus text, no authentication) is public at the edge: `metrics.public: true`.',
    );
    expect(text).not.toContain('answers 404');
  });
});

describe('an Ingress class that may drop the blocked path', () => {
  const warningsOf = (c: Record<string, any>) =>
    readEnvironmentConfig('test', { text: stringify(c), file: 'config/test.yaml' }).warnings.map((w) => w.message);

  test('Traefik: a warning that the metrics reach the app unless the provider allows empty services', () => {
    // GIVEN production behind Traefik, metrics private  WHEN read  THEN a warning names the fall-through
    const c = prodEdge((e) => (e.ingress.className = 'traefik'));
    expect(warningsOf(c)).toEqual([
      expect.stringMatching(
        /^config warning in environment "test" \(config\/test\.yaml\), field ingress\.className: got "traefik": Traefik drops .* allowEmptyServices, and \/api\/v1\/metrics then reaches the app through "\/"; allowed: .*metrics\.public: true/,
      ),
    ]);
  });

  test('Traefik: the environment README says the path answers 503 only with allowEmptyServices', () => {
    // GIVEN production behind Traefik, metrics private  WHEN the README is written  THEN it names the condition
    const text = renderEnvironment(configFrom(prodEdge((e) => (e.ingress.className = 'traefik')))).files.get(
      ENVIRONMENT_README,
    )!;
    expect(text).toContain(
      "The Ingress sends `/api/v1/metrics` to the Service's port `blocked`, which has no endpoints: Traefik answers 503 only when its provider sets allowEmptyServices, and otherwise drops the path, which then reaches the app through `/`.",
    );
    expect(text).not.toContain('ingress-nginx answers 503');
  });

  test('Traefik named by the deprecated class annotation: the same warning, at that field', () => {
    // GIVEN production whose Ingress names Traefik through kubernetes.io/ingress.class, no className
    const c = prodEdge((e) => {
      delete e.ingress.className;
      e.ingress.annotations = { 'kubernetes.io/ingress.class': 'traefik' };
    });
    // WHEN read  THEN the warning names the annotation
    expect(warningsOf(c)).toEqual([
      expect.stringMatching(/field ingress\.annotations\.kubernetes\.io\/ingress\.class: got "traefik": Traefik drops/),
    ]);
    // AND the environment README says what Traefik does with the path
    expect(renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)).toContain(
      'Traefik answers 503 only when its provider sets allowEmptyServices',
    );
  });

  test('refuses a class annotation beside ingress.className: two classes', () => {
    // GIVEN className nginx and the annotation naming traefik  WHEN read  THEN refused at the annotation
    expect(() =>
      configFrom(prodEdge((e) => (e.ingress.annotations = { 'kubernetes.io/ingress.class': 'traefik' }))),
    ).toThrow(
      /field ingress\.annotations\.kubernetes\.io\/ingress\.class: got "traefik" beside ingress\.className "nginx": two classes.*allowed: ingress\.className alone/,
    );
  });

  test('no warning for ingress-nginx, or when the metrics are public anyway', () => {
    // GIVEN nginx, or Traefik with metrics.public  WHEN read  THEN nothing to warn about
    expect(warningsOf(prodEdge())).toEqual([]);
    expect(
      warningsOf(
        prodEdge((e) => {
          e.ingress.className = 'traefik';
          e.metrics = { public: true };
        }),
      ),
    ).toEqual([]);
  });
});
