/**
 * How many pods there are and how many may go at once: a HorizontalPodAutoscaler and a
 * PodDisruptionBudget, where asked for.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
import { ApiObject } from 'cdk8s';
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';

/** give exactly one of the two, as a count or a percentage (`"50%"`) */
export interface DisruptionBudgetProps {
  readonly minAvailable?: number | string;
  readonly maxUnavailable?: number | string;
}

export interface AutoscalingProps {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** average CPU use, in percent of the request, the autoscaler aims at @default 70 */
  readonly targetCPUUtilizationPercent?: number;
}

export interface AvailabilityProps {
  /** the name of the budget and the autoscaler, and of the Deployment they act on */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the labels of the pods the budget protects */
  readonly selector: Readonly<Record<string, string>>;
  /** @default no budget */
  readonly podDisruptionBudget?: DisruptionBudgetProps;
  /** an autoscaler on CPU for the Deployment @default a fixed replica count */
  readonly autoscaling?: AutoscalingProps;
}

export class Availability extends Construct {
  public readonly podDisruptionBudget?: ApiObject;
  public readonly horizontalPodAutoscaler?: ApiObject;

  constructor(scope: Construct, id: string, props: AvailabilityProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace, labels: { ...props.labels } };

    const pdb = props.podDisruptionBudget;
    if (pdb) {
      if ((pdb.minAvailable === undefined) === (pdb.maxUnavailable === undefined))
        throw new Error(
          `podDisruptionBudget of "${props.name}" got ${JSON.stringify(pdb)}; allowed: exactly one of minAvailable, maxUnavailable`,
        );
      const intOrString = (v: number | string) =>
        typeof v === 'number' ? k8s.IntOrString.fromNumber(v) : k8s.IntOrString.fromString(v);
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
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
      if (
        !Number.isInteger(scaling.minReplicas) ||
        scaling.minReplicas < 1 ||
        scaling.maxReplicas < scaling.minReplicas
      )
        throw new Error(
          `autoscaling of "${props.name}" got minReplicas ${scaling.minReplicas}, maxReplicas ${scaling.maxReplicas}; allowed: 1 <= minReplicas <= maxReplicas`,
        );
      this.horizontalPodAutoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
          minReplicas: scaling.minReplicas,
          maxReplicas: scaling.maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercent ?? 70 },
              },
            },
          ],
        },
      });
    }
  }
}
