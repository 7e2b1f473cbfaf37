/**
 * One environment's chart: the Namespace and everything in it.
 */
import { Chart } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { recommendedLabels } from './labels';
import { migrationContainer, MigrationJob } from './migration';
import { NetworkPolicies } from './network';
import { BackendWorkload } from './workload';

export interface ReviewpointChartProps {
  readonly config: EnvironmentConfig;
}

export class ReviewpointChart extends Chart {
  constructor(scope: Construct, id: string, props: ReviewpointChartProps) {
    // no chart-wide labels: each object carries its own, and selectors stay explicit
    super(scope, id, { namespace: props.config.namespace, disableResourceNameHashes: true });
    const { config } = props;

    const level = 'restricted';
    new k8s.KubeNamespace(this, 'Namespace', {
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
      },
    });

    const strategy = config.migration.strategy;
    new BackendWorkload(this, 'Backend', {
      config,
      initContainers: strategy === 'initContainer' ? [migrationContainer(config)] : undefined,
    });
    if (strategy === 'job') new MigrationJob(this, 'Migration', { config });
    new NetworkPolicies(this, 'Network', { config });
  }
}
