import { synthesizeObjects } from '../lib/render';
import { fixtureConfig, configFrom, minimalConfig, stagingRouteSpec } from './helpers';
import { validateWithCrdModels } from './crd-models';
import { validateSchema } from '../lib/schema';

const byName = (objects: readonly any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('staging, behind a Gateway', () => {
  const objects = synthesizeObjects(fixtureConfig('staging')) as any[];

  test('has an HTTPRoute from the gateway listener to the Service, valid for the CRD schema and its package', () => {
    const route = byName(objects, 'HTTPRoute', 'reviewpoint-backend');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual(stagingRouteSpec());
    expect(validateSchema(route)).toEqual([]);
    expect(validateWithCrdModels(route)).toEqual([]);
  });

  test("admits the gateway's namespace to port 8000, and no ingress controller", () => {
    expect(byName(objects, 'NetworkPolicy', 'reviewpoint-backend-from-gateway').spec).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'reviewpoint-backend',
          'app.kubernetes.io/instance': 'reviewpoint-backend-staging',
          'app.kubernetes.io/component': 'api',
        },
      },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }],
          ports: [{ protocol: 'TCP', port: 8000 }],
        },
      ],
    });
    expect(byName(objects, 'NetworkPolicy', 'reviewpoint-backend-ingress')).toBeUndefined();
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
  });
});

describe('a route', () => {
  test("admits the gateway's proxies where the config says they run, and leaves out an unset listener", () => {
    const data = minimalConfig();
    data.route = {
      gateway: { name: 'eg', namespace: 'apps-gateway' },
      hostnames: ['*.example.com'],
      allowFrom: {
        namespace: 'envoy-gateway-system',
        podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'eg' },
      },
    };
    const objects = synthesizeObjects(configFrom(data)) as any[];
    expect(byName(objects, 'HTTPRoute', 'reviewpoint-backend').spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg', namespace: 'apps-gateway' },
    ]);
    expect(byName(objects, 'NetworkPolicy', 'reviewpoint-backend-from-gateway').spec.ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
        podSelector: { matchLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'eg' } },
      },
    ]);
  });
});

describe('prod, behind ingress-nginx', () => {
  test('passes the controller annotations through, so uploads over 1m are not refused', () => {
    const ingress = byName(synthesizeObjects(fixtureConfig('prod')) as any[], 'Ingress', 'reviewpoint-backend');
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '300',
    });
  });
});
