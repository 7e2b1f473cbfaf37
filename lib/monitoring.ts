/**
 * A Prometheus Operator ServiceMonitor: Prometheus scrapes /api/v1/metrics through the Service's
 * `http` port. The endpoint has no authentication; the NetworkPolicy lets only the scrapers (and
 * the ingress or gateway) reach it.
 * @see https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors
 */
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig, ServiceMonitorConfig } from './config';
import { APP_NAME, recommendedLabels, selectorLabels } from './labels';
import { METRICS_PATH } from './deployment';

export interface BackendServiceMonitorProps {
  readonly config: EnvironmentConfig;
  readonly monitor: ServiceMonitorConfig;
}

export class BackendServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: BackendServiceMonitorProps) {
    super(scope, id);
    const { config, monitor } = props;
    const spec: IServiceMonitor['spec'] = {
      // the Service's stable labels (its version label changes with every release)
      selector: { matchLabels: selectorLabels(config, 'api') },
      endpoints: [
        {
          port: 'http',
          path: METRICS_PATH,
          scheme: 'http',
          interval: monitor.interval,
          scrapeTimeout: monitor.scrapeTimeout,
        },
      ],
    };
    new ApiObject(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: APP_NAME,
        namespace: config.namespace,
        // the Prometheus's serviceMonitorSelector matches these; ours cannot be overridden
        labels: { ...monitor.labels, ...recommendedLabels(config, 'api') },
      },
      spec,
    });
  }
}
