/**
 * How many pods there are and how many may go at once: a HorizontalPodAutoscaler and a
 * PodDisruptionBudget, where the environment asks for them.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { APP_NAME } from './labels';

export interface BackendAvailabilityProps {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the labels of the pods the budget protects */
  readonly selector: Readonly<Record<string, string>>;
  /** minAvailable or maxUnavailable, as a count or a percentage @default no budget */
  readonly podDisruptionBudget?: EnvironmentConfig['app']['podDisruptionBudget'];
  /** an autoscaler on CPU for the Deployment @default a fixed replica count */
  readonly autoscaling?: EnvironmentConfig['app']['autoscaling'];
}

export class BackendAvailability extends Construct {
  constructor(scope: Construct, id: string, props: BackendAvailabilityProps) {
    super(scope, id);
    const metadata = { name: APP_NAME, namespace: props.namespace, labels: { ...props.labels } };

    const pdb = props.podDisruptionBudget;
    if (pdb) {
      const intOrString = (v: number | string) =>
        typeof v === 'number' ? k8s.IntOrString.fromNumber(v) : k8s.IntOrString.fromString(v);
      new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata,
        spec: {
          selector: { matchLabels: { ...props.selector } },
          minAvailable: pdb.minAvailable !== undefined ? intOrString(pdb.minAvailable) : undefined,
          maxUnavailable: pdb.maxUnavailable !== undefined ? intOrString(pdb.maxUnavailable) : undefined,
          // evict pods that never became ready, so a broken rollout cannot block a drain
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    const scaling = props.autoscaling;
    if (scaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: APP_NAME },
          minReplicas: scaling.minReplicas,
          maxReplicas: scaling.maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercent },
              },
            },
          ],
        },
      });
    }
  }
}
