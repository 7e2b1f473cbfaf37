import { synthesizeObjects } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { validateWithCrdModels } from './crd-models';
import { fixtureConfig, configFrom, minimalConfig } from './helpers';

const byName = (objects: readonly any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('staging, scraped by kube-prometheus-stack', () => {
  const objects = synthesizeObjects(fixtureConfig('staging')) as any[];

  test('has a ServiceMonitor on the http port and /api/v1/metrics, labelled for the Prometheus, valid for its CRD', () => {
    const monitor = byName(objects, 'ServiceMonitor', 'reviewpoint-backend');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels).toMatchObject({
      release: 'kube-prometheus-stack',
      'app.kubernetes.io/name': 'reviewpoint-backend',
    });
    expect(monitor.spec).toEqual({
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'reviewpoint-backend',
          'app.kubernetes.io/instance': 'reviewpoint-backend-staging',
          'app.kubernetes.io/component': 'api',
        },
      },
      endpoints: [{ port: 'http', path: '/api/v1/metrics', scheme: 'http', interval: '30s', scrapeTimeout: '10s' }],
    });
    expect(validateSchema(monitor)).toEqual([]);
    expect(validateWithCrdModels(monitor)).toEqual([]);
  });

  test('selects the Service, whose http port it scrapes', () => {
    const monitor = byName(objects, 'ServiceMonitor', 'reviewpoint-backend');
    const service = byName(objects, 'Service', 'reviewpoint-backend');
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
  });

  test('admits the Prometheus pods of the monitoring namespace to port 8000', () => {
    expect(byName(objects, 'NetworkPolicy', 'reviewpoint-backend-from-monitoring').spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
  });
});

describe('a ServiceMonitor', () => {
  test('admits the whole monitoring namespace by default, and is absent without the config section', () => {
    const data = minimalConfig();
    expect(
      (synthesizeObjects(configFrom(data)) as any[]).some(
        (o) => o.kind === 'ServiceMonitor' || o.metadata.name.endsWith('-from-monitoring'),
      ),
    ).toBe(false);
    data.serviceMonitor = {};
    const policy = byName(
      synthesizeObjects(configFrom(data)) as any[],
      'NetworkPolicy',
      'reviewpoint-backend-from-monitoring',
    );
    expect(policy.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });
});
