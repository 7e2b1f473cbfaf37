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

/** one way of scaling: how far back to look, and how many pods may change per period */
export interface ScalingRules {
  /** seconds of past recommendations considered, 0 to 3600 @default the API server's: 0 up, 300 down */
  readonly stabilizationWindowSeconds?: number;
  /** which policy wins when several apply; `Disabled` turns this direction off @default Max */
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled';
  /** at least one when given @default the API server's for the direction */
  readonly policies?: ReadonlyArray<{
    readonly type: 'Pods' | 'Percent';
    /** pods, or percent of the current replicas, above 0 */
    readonly value: number;
    /** 1 to 1800 */
    readonly periodSeconds: number;
  }>;
}

export interface AutoscalingProps {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** average CPU use, in percent of the request, the autoscaler aims at @default 70 */
  readonly targetCPUUtilizationPercent?: number;
  /** average memory use, in percent of the request, to aim at as well @default CPU only */
  readonly targetMemoryUtilizationPercent?: number;
  /**
   * @default the API server's
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
   */
  readonly behavior?: { readonly scaleUp?: ScalingRules; readonly scaleDown?: ScalingRules };
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
  /** an autoscaler on CPU (and memory) for the Deployment @default a fixed replica count */
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
      const utilization = (name: 'cpu' | 'memory', percent: number): k8s.MetricSpecV2 => {
        if (!Number.isInteger(percent) || percent < 1)
          throw new Error(
            `autoscaling of "${props.name}" got ${name} utilization ${percent}; allowed: a whole percentage above 0`,
          );
        return { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: percent } } };
      };
      const memory = scaling.targetMemoryUtilizationPercent;
      this.horizontalPodAutoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
          minReplicas: scaling.minReplicas,
          maxReplicas: scaling.maxReplicas,
          metrics: [
            utilization('cpu', scaling.targetCPUUtilizationPercent ?? 70),
            ...(memory === undefined ? [] : [utilization('memory', memory)]),
          ],
          behavior: scaling.behavior && {
            scaleUp: scalingRules(props.name, 'scaleUp', scaling.behavior.scaleUp),
            scaleDown: scalingRules(props.name, 'scaleDown', scaling.behavior.scaleDown),
          },
        },
      });
    }
  }
}

/** the rules as written, checked as the API server checks them @throws Error naming the field */
function scalingRules(
  name: string,
  direction: 'scaleUp' | 'scaleDown',
  rules: ScalingRules | undefined,
): k8s.HpaScalingRulesV2 | undefined {
  if (!rules) return undefined;
  const where = `autoscaling of "${name}" behavior.${direction}`;
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && !(Number.isInteger(window) && window >= 0 && window <= 3600))
    throw new Error(`${where}.stabilizationWindowSeconds got ${window}; allowed: 0 to 3600`);
  if (rules.policies?.length === 0)
    throw new Error(`${where}.policies got []; allowed: at least one policy, or none given`);
  rules.policies?.forEach((p, i) => {
    if (!(Number.isInteger(p.value) && p.value > 0))
      throw new Error(`${where}.policies[${i}].value got ${p.value}; allowed: a whole number above 0`);
    if (!(Number.isInteger(p.periodSeconds) && p.periodSeconds >= 1 && p.periodSeconds <= 1800))
      throw new Error(`${where}.policies[${i}].periodSeconds got ${p.periodSeconds}; allowed: 1 to 1800`);
  });
  return {
    stabilizationWindowSeconds: window,
    selectPolicy: rules.selectPolicy,
    policies: rules.policies?.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  };
}
