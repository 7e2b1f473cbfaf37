/**
 * The app: its ServiceAccount and settings (ConfigMap), the Deployment (lib/deployment.ts), the
 * Service and Ingress (lib/service.ts), and the autoscaler and disruption budget
 * (lib/availability.ts).
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { CONFIG_MAP_NAME, configMapData } from './app-env';
import { BackendAvailability } from './availability';
import type { EnvironmentConfig } from './config';
import { BackendDeployment } from './deployment';
import { contentHash } from './determinism';
import { APP_NAME, recommendedLabels, selectorLabels } from './labels';
import { BackendService } from './service';

export interface BackendWorkloadProps {
  readonly config: EnvironmentConfig;
  /** init containers to run before the app, e.g. the migration @default none */
  readonly initContainers?: readonly k8s.Container[];
}

export class BackendWorkload extends Construct {
  constructor(scope: Construct, id: string, props: BackendWorkloadProps) {
    super(scope, id);
    const { config } = props;
    const app = config.app;
    // the version label only where the image runs: an image bump then changes the Deployment
    // alone, not every object of the app (a reviewer reads one object, not eight)
    const labels = recommendedLabels(config, 'api');
    const selector = selectorLabels(config, 'api');
    const metadata = { name: APP_NAME, namespace: config.namespace, labels };

    // the backend never calls the Kubernetes API
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    const data = configMapData(config);
    new k8s.KubeConfigMap(this, 'ConfigMap', { metadata: { ...metadata, name: CONFIG_MAP_NAME }, data });

    new BackendDeployment(this, 'App', {
      config,
      labels: recommendedLabels(config, 'api', app.image),
      selector,
      settingsHash: contentHash(data),
      initContainers: props.initContainers,
    });
    new BackendService(this, 'Exposure', { namespace: config.namespace, labels, selector, ingress: config.ingress });
    new BackendAvailability(this, 'Availability', {
      namespace: config.namespace,
      labels,
      selector,
      podDisruptionBudget: app.podDisruptionBudget,
      autoscaling: app.autoscaling,
    });
  }
}
