/**
 * A Prometheus Operator ServiceMonitor: Prometheus scrapes a path through a Service's named port.
 * The NetworkPolicies must let the scrapers in.
 * @see https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors
 */
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export interface ServiceMonitorProps {
  readonly name: string;
  readonly namespace: string;
  /** labels of the monitor, over `selectorLabels` */
  readonly labels: Readonly<Record<string, string>>;
  /** labels the Prometheus's serviceMonitorSelector matches; `labels` win on a clash @default none */
  readonly prometheusLabels?: Readonly<Record<string, string>>;
  /** the stable labels of the Service to scrape (not its version label, which changes) */
  readonly serviceSelector: Readonly<Record<string, string>>;
  /** the path of the metrics, e.g. `/metrics` */
  readonly path: string;
  /** the Service's port name @default http */
  readonly port?: string;
  /** e.g. `30s` @default Prometheus's global interval */
  readonly interval?: string;
  /** e.g. `10s`, at most `interval` @default Prometheus's global timeout */
  readonly scrapeTimeout?: string;
}

export class ServiceMonitor extends Construct {
  public readonly monitor: ApiObject;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    if (Object.keys(props.serviceSelector).length === 0)
      throw new Error(`service monitor "${props.name}": serviceSelector got {}; allowed: at least one label`);
    if (!props.path.startsWith('/'))
      throw new Error(
        `service monitor "${props.name}": path got ${JSON.stringify(props.path)}; allowed: a path starting with "/"`,
      );
    const spec: IServiceMonitor['spec'] = {
      selector: { matchLabels: { ...props.serviceSelector } },
      endpoints: [
        {
          port: props.port ?? 'http',
          path: props.path,
          scheme: 'http',
          interval: props.interval,
          scrapeTimeout: props.scrapeTimeout,
        },
      ],
    };
    this.monitor = new ApiObject(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.prometheusLabels, ...props.labels },
      },
      spec,
    });
  }
}
