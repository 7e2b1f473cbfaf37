/**
 * One environment's chart: the Namespace and everything in it.
 */
import { ApiObject, Chart } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { applyBeforeMigration, ARGOCD_SYNC_OPTIONS, FLUX_PRUNE } from './delivery/stages';
import { BackendExternalSecret } from './external-secret';
import { recommendedLabels } from './labels';
import { migrationContainer, MigrationJob } from './migration';
import { BackendServiceMonitor } from './monitoring';
import { NetworkPolicies } from './network';
import { BackendRoute } from './route';
import { BackendWorkload } from './workload';

export interface ReviewpointChartProps {
  readonly config: EnvironmentConfig;
}

export class ReviewpointChart extends Chart {
  constructor(scope: Construct, id: string, props: ReviewpointChartProps) {
    // no chart namespace: cdk8s would copy it onto the Namespace too, which is cluster-scoped
    // (each namespaced object names its namespace itself); no chart-wide labels either: each
    // object carries its own, and selectors stay explicit
    super(scope, id, { disableResourceNameHashes: true });
    const { config } = props;

    const level = 'restricted';
    const namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: config.namespace,
        labels: {
          ...recommendedLabels(config, 'api'),
          // the cluster itself rejects any pod weaker than the restricted profile
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
        },
        annotations: {
          // the namespace also holds what this repository does not manage: the Secret, the TLS
          // secret, uploads volumes, the database in dev. Deleting it with the application, or
          // pruning it after a rename, would take those along
          [ARGOCD_SYNC_OPTIONS]: 'Prune=false,Delete=false',
          [FLUX_PRUNE]: 'disabled',
        },
      },
    });

    const strategy = config.migration.strategy;
    new BackendWorkload(this, 'Backend', {
      config,
      initContainers: strategy === 'initContainer' ? [migrationContainer(config, 'configMap')] : undefined,
    });
    const externalSecret = config.secrets.externalSecret;
    const secrets = externalSecret && new BackendExternalSecret(this, 'Secrets', { config, externalSecret });
    if (config.route) new BackendRoute(this, 'Route', { config, route: config.route });
    if (config.serviceMonitor)
      new BackendServiceMonitor(this, 'Monitoring', { config, monitor: config.serviceMonitor });
    const network = new NetworkPolicies(this, 'Network', { config });
    if (strategy === 'job') {
      new MigrationJob(this, 'Migration', { config });
      // the Job's pod needs its namespace and, under a default-deny policy, its egress allowed
      applyBeforeMigration(namespace, ...network.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject));
      // and the Secret, which an ExternalSecret creates only once the operator has read the store
      if (secrets)
        applyBeforeMigration(...secrets.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject));
    }
  }
}
