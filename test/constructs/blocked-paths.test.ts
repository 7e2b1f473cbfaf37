import { App, Chart } from 'cdk8s';
import { validateSchema } from '../../lib/schema';
import {
  BLOCKED_PORT,
  HttpRoute,
  WebApp,
  WebService,
  type HttpRouteMatch,
  type HttpRouteProps,
  type IngressProps,
} from '../../lib/constructs';
import { validateWithCrdModels } from '../crd-models';

const chart = () => new Chart(new App(), 'test', { disableResourceNameHashes: true });
const selector = { 'app.kubernetes.io/name': 'shop' };
const BLOCKED = '/internal/metrics';

const route = (over: Partial<HttpRouteProps> = {}) =>
  new HttpRoute(chart(), 'R', {
    name: 'shop',
    namespace: 'shop',
    labels: selector,
    gateway: { name: 'public', namespace: 'gateways' },
    hostnames: ['shop.example.com'],
    serviceName: 'shop',
    servicePort: 8080,
    blockedPaths: [BLOCKED],
    ...over,
  }).route.toJson();

const service = (ingress: IngressProps) =>
  new WebService(chart(), 'S', { name: 'shop', namespace: 'shop', labels: selector, selector, port: 8080, ingress });

interface Request {
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The rule a Gateway API implementation sends a request to: among the matches that match, an
 * Exact path first, then the longest PathPrefix, then one with a method, then the most header
 * matches, then the first rule (gateway-api `HTTPRouteRule`'s precedence; the route's age and
 * name only rank separate routes)
 */
function routedRule(spec: any, req: Request): any {
  const candidates = (spec.rules as any[]).flatMap((rule, order) =>
    (rule.matches as any[])
      .filter((m) => {
        const p = m.path ?? { type: 'PathPrefix', value: '/' };
        const base = p.value.replace(/\/+$/, '');
        const pathOk =
          p.type === 'Exact'
            ? req.path === p.value
            : req.path === base || req.path.startsWith(`${base}/`) || base === '';
        const methodOk = !m.method || m.method === (req.method ?? 'GET');
        const headersOk = (m.headers ?? []).every((h: any) => req.headers?.[h.name.toLowerCase()] === h.value);
        return pathOk && methodOk && headersOk;
      })
      .map((m) => ({ rule, order, m })),
  );
  const rank = ({ m, order }: (typeof candidates)[number]) => [
    m.path?.type === 'Exact' ? 1 : 0,
    m.path?.type === 'Exact' ? 0 : (m.path?.value ?? '/').length,
    m.method ? 1 : 0,
    (m.headers ?? []).length,
    -order,
  ];
  candidates.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    const i = ra.findIndex((v, k) => v !== rb[k]);
    return i < 0 ? 0 : rb[i] - ra[i];
  });
  return candidates[0]?.rule;
}

/** the backend an Ingress path sends a request to: the longest matching path, Exact before Prefix on a tie */
function ingressBackend(ingress: any, host: string, path: string): any {
  const paths = (ingress.spec.rules as any[]).find((r) => r.host === host).http.paths as any[];
  const matching = paths.filter((p) =>
    p.pathType === 'Exact' ? path === p.path : p.path === '/' || path === p.path || path.startsWith(`${p.path}/`),
  );
  matching.sort(
    (a, b) => b.path.length - a.path.length || (b.pathType === 'Exact' ? 1 : 0) - (a.pathType === 'Exact' ? 1 : 0),
  );
  return matching[0]?.backend;
}

/** user matches that the block must win over: shorter prefixes with a method and headers, and paths beside it */
const USER_MATCHES: HttpRouteMatch[] = [
  { path: { value: '/' } },
  {
    path: { value: '/internal' },
    method: 'GET',
    headers: [
      { name: 'x-tenant', value: 'a' },
      { name: 'x-b', value: 'b' },
    ],
  },
  { path: { type: 'Exact', value: '/internal/metricsx' } },
  { path: { type: 'PathPrefix', value: '/internal/metrics-old' } },
  { headers: [{ name: 'x-tenant', value: 'a' }] },
];
const TENANT = { method: 'GET', headers: { 'x-tenant': 'a', 'x-b': 'b' } };

describe('HttpRoute blockedPaths', () => {
  test('adds a rule with no backend for each blocked path, after the rule of the matches, valid for the CRD', () => {
    // GIVEN a route with a blocked path  WHEN it is synthesized
    const r = route({ blockedPaths: [BLOCKED, '/debug'] });
    // THEN the rules are the app's, then one per blocked path with neither backendRefs nor filters
    expect(r.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'shop', port: 8080, weight: 1 }],
      },
      { matches: [{ path: { type: 'PathPrefix', value: BLOCKED } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/debug' } }] },
    ]);
    // AND the schema of the HTTPRoute CRD and its package accept a rule without backendRefs
    expect(validateSchema(r)).toEqual([]);
    expect(validateWithCrdModels(r)).toEqual([]);
  });

  test('adds no rule without blocked paths', () => {
    // GIVEN no blockedPaths  WHEN the route is synthesized  THEN it has the one rule
    expect(route({ blockedPaths: undefined }).spec.rules).toHaveLength(1);
  });

  test('the blocked rule wins over every user match for the path and beneath it, and takes nothing else', () => {
    // GIVEN user matches with shorter prefixes, a method, headers, and paths beside the blocked one
    const spec = route({ matches: USER_MATCHES }).spec;
    // WHEN requests are routed by Gateway API's precedence
    // THEN the blocked path and what lies beneath it reach the rule with no backend (404)
    for (const path of [BLOCKED, `${BLOCKED}/`, `${BLOCKED}/x`])
      expect(routedRule(spec, { path, ...TENANT }).backendRefs).toBeUndefined();
    // AND paths beside it still reach the Service
    for (const path of ['/internal/metricsx', '/internal/metrics-old', '/internal/other', '/'])
      expect(routedRule(spec, { path, ...TENANT }).backendRefs).toHaveLength(1);
  });

  test('an Exact user match would win over the blocked prefix: the reason it is refused', () => {
    // GIVEN the blocked rule written by hand beside a user's Exact match on the same path
    const spec = {
      rules: [
        { matches: [{ path: { type: 'Exact', value: BLOCKED } }], backendRefs: [{ name: 'shop', port: 8080 }] },
        { matches: [{ path: { type: 'PathPrefix', value: BLOCKED } }] },
      ],
    };
    // WHEN the path is routed  THEN the user's match takes it
    expect(routedRule(spec, { path: BLOCKED }).backendRefs).toHaveLength(1);
  });

  test.each([
    ['an Exact match on the blocked path', { type: 'Exact', value: BLOCKED }, /an Exact path wins over the block/],
    ['an Exact match beneath it', { type: 'Exact', value: `${BLOCKED}/` }, /an Exact path wins over the block/],
    ['a prefix equal to it (a method would win the tie)', { type: 'PathPrefix', value: BLOCKED }, /as long or longer/],
    ['a longer prefix inside it', { type: 'PathPrefix', value: `${BLOCKED}/detail` }, /as long or longer/],
    ['a RegularExpression path', { type: 'RegularExpression', value: '/internal/.*' }, /precedence over the blocked/],
  ] as const)('fails when a match is %s', (_, path, message) => {
    // GIVEN a user match the block cannot win over  WHEN the route is built  THEN it is refused
    expect(() => route({ matches: [{ path: { value: '/' } }, { path }] })).toThrow(message);
    expect(() => route({ matches: [{ path: { value: '/' } }, { path }] })).toThrow(
      /route "shop": matches\[1\]\.path got/,
    );
  });

  test('a RegularExpression match is left alone when nothing is blocked', () => {
    // GIVEN no blocked paths  WHEN a regular expression is matched  THEN the route is built
    expect(
      route({ blockedPaths: [], matches: [{ path: { type: 'RegularExpression', value: '/internal/.*' } }] }).spec.rules,
    ).toHaveLength(1);
  });

  test.each(['/', 'internal', '/internal/'])('fails when a blocked path is %j', (path) => {
    // GIVEN a blocked path that is no prefix of one element or more  WHEN the route is built  THEN it is refused
    expect(() => route({ blockedPaths: [path] })).toThrow(
      `route "shop": blockedPaths got ${JSON.stringify(path)}; allowed: an absolute path of at least one element`,
    );
  });
});

describe('WebService ingress.blockedPaths', () => {
  test('sends each blocked path, on every host, to a Service port no container declares', () => {
    // GIVEN an Ingress of two hosts with paths, and a blocked path
    const s = service({
      hosts: [{ host: 'a.example.com' }, { host: 'b.example.com', paths: [{ path: '/internal' }] }],
      blockedPaths: [BLOCKED],
    });
    const ingress = s.ingress!.toJson();
    // WHEN it is synthesized  THEN each host ends with the blocked path, to the Service's port "blocked"
    const nowhere = { service: { name: 'shop', port: { name: BLOCKED_PORT.name } } };
    for (const rule of ingress.spec.rules)
      expect(rule.http.paths.at(-1)).toEqual({ path: BLOCKED, pathType: 'Prefix', backend: nowhere });
    // AND the Service has that port, its target a name no container of the app declares
    expect(s.service.toJson().spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
      { name: 'blocked', port: 9, targetPort: 'blocked', protocol: 'TCP' },
    ]);
    const app = new WebApp(chart(), 'Shop', {
      name: 'shop',
      namespace: 'shop',
      labels: selector,
      selector,
      container: {
        name: 'shop',
        image: 'registry.example.com/shop:1.0.0',
        command: ['/shop'],
        runAsUser: 1000,
        runAsGroup: 1000,
        resources: { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '64Mi' },
      },
      port: 8080,
      probes: { path: BLOCKED },
      ingress: { host: 'a.example.com', blockedPaths: [BLOCKED] },
    });
    const ports = app.deployment.toJson().spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
    expect(ports.map((p: any) => p.name)).toEqual(['http']);
    // AND the probes still use the path, at the pod
    expect(app.deployment.toJson().spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe(BLOCKED);
  });

  test('the blocked path wins over the hosts paths by the Ingress rule of the longest match', () => {
    // GIVEN shorter prefixes and an Exact path beside the blocked one
    const ingress = service({
      hosts: [
        {
          host: 'a.example.com',
          paths: [{ path: '/' }, { path: '/internal' }, { path: '/internal/metricsx', pathType: 'Exact' }],
        },
      ],
      blockedPaths: [BLOCKED],
    }).ingress!.toJson();
    // WHEN requests are matched  THEN the blocked path and beneath it go to the port with no endpoints
    for (const path of [BLOCKED, `${BLOCKED}/`, `${BLOCKED}/x`])
      expect(ingressBackend(ingress, 'a.example.com', path).service.port).toEqual({ name: 'blocked' });
    // AND the rest to the app
    for (const path of ['/internal/metricsx', '/internal/other', '/'])
      expect(ingressBackend(ingress, 'a.example.com', path).service.port).toEqual({ name: 'http' });
  });

  test('adds no port and no path without blocked paths', () => {
    // GIVEN an Ingress without blockedPaths  WHEN synthesized  THEN the Service has its one port
    const s = service({ host: 'a.example.com' });
    expect(s.service.toJson().spec.ports).toHaveLength(1);
    expect(s.ingress!.toJson().spec.rules[0].http.paths).toHaveLength(1);
  });

  test.each([
    ['an Exact path on the blocked one', { path: BLOCKED, pathType: 'Exact' }, /an Exact path wins/],
    ['a Prefix path equal to it', { path: BLOCKED }, /as long or longer/],
    ['a Prefix path inside it', { path: `${BLOCKED}/detail` }, /as long or longer/],
    [
      'an ImplementationSpecific path inside it',
      { path: `${BLOCKED}/x`, pathType: 'ImplementationSpecific' },
      /inside/,
    ],
  ] as const)('fails when a host has %s', (_, p, message) => {
    // GIVEN a host path the blocked one cannot win over  WHEN the Ingress is built  THEN it is refused
    const build = () => service({ hosts: [{ host: 'a.example.com', paths: [p] }], blockedPaths: [BLOCKED] });
    expect(build).toThrow(message);
    expect(build).toThrow(
      `ingress "shop": host "a.example.com" path got ${JSON.stringify(p.path)}, inside the blocked path`,
    );
  });

  test('fails when a blocked path ends in "/"', () => {
    // GIVEN a blocked path with a trailing slash  WHEN the Ingress is built  THEN it is refused
    expect(() => service({ host: 'a.example.com', blockedPaths: ['/internal/'] })).toThrow(
      'ingress "shop": blockedPaths got "/internal/"; allowed: an absolute path of at least one element',
    );
  });
});
