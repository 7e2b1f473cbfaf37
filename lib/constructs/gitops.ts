/**
 * The objects that tell Argo CD and Flux where an app is and how to apply it: an Argo CD
 * Application for one folder of a GitOps repository, and one Flux Kustomization per stage of it,
 * each depending on the one before. They live in the engines' own namespaces, outside what the
 * engines apply from the folder.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';

export interface ArgoCdApplicationProps {
  readonly name: string;
  /** where Argo CD runs and looks for Applications */
  readonly namespace: string;
  /** the Argo CD project */
  readonly project: string;
  /** the Git repository the manifests are committed to */
  readonly repoURL: string;
  /** the branch, tag or commit Argo CD follows */
  readonly revision: string;
  /** the folder in the repository, e.g. `dist/prod` */
  readonly path: string;
  /** the cluster's API server, e.g. `https://kubernetes.default.svc` */
  readonly server: string;
  /** the namespace the app deploys to */
  readonly destinationNamespace: string;
  /**
   * the folder holds ExternalSecrets: ignore the fields External Secrets defaults inside their
   * lists, which Argo CD would otherwise show as a diff and, with self-heal, sync again and again
   * @default false
   */
  readonly externalSecrets?: boolean;
  /**
   * pod-template annotations of the folder's Deployments that another controller writes, e.g.
   * Stakater Reloader's `reloader.stakater.com/last-reloaded-from` (its annotations strategy):
   * ignored in Argo CD's diff, so self-heal does not revert the change that rolled the pods
   * @default none
   */
  readonly ignoredPodAnnotations?: readonly string[];
  /**
   * the Application's labels, e.g. the app.kubernetes.io recommended ones
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Fields External Secrets defaults inside spec.data[].remoteRef (older releases three, newer a
 * fourth). Defaults inside a list item of a custom resource show as a diff in Argo CD: the
 * Application would never report Synced, and self-heal would re-apply the ExternalSecret after
 * every refresh (a self-heal skips hooks, so no migration runs; the sync loop is the harm).
 */
const EXTERNAL_SECRET_DEFAULTS = ['conversionStrategy', 'decodingStrategy', 'metadataPolicy', 'nullBytePolicy'];

export function argoCdApplication(props: ArgoCdApplicationProps): IApplication {
  const ignoreDifferences = [
    ...(props.externalSecrets
      ? [
          {
            group: 'external-secrets.io',
            kind: 'ExternalSecret',
            jqPathExpressions: EXTERNAL_SECRET_DEFAULTS.map((f) => `.spec.data[]?.remoteRef.${f}`),
          },
        ]
      : []),
    ...(props.ignoredPodAnnotations?.length
      ? [
          {
            group: 'apps',
            kind: 'Deployment',
            // RFC 6901: "/" in a key is written "~1", "~" is written "~0"
            jsonPointers: props.ignoredPodAnnotations.map(
              (a) => `/spec/template/metadata/annotations/${a.replace(/~/g, '~0').replace(/\//g, '~1')}`,
            ),
          },
        ]
      : []),
  ];
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: props.name,
      namespace: props.namespace,
      ...(props.labels ? { labels: { ...props.labels } } : {}),
      // deleting the Application deletes what it deployed (a RestrictedNamespace keeps Delete=false)
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: props.project,
      source: { repoURL: props.repoURL, targetRevision: props.revision, path: props.path },
      destination: { server: props.server, namespace: props.destinationNamespace },
      ...(ignoreDifferences.length > 0 ? { ignoreDifferences } : {}),
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // a failed sync (a failed migration) is tried again, a few times, further apart
        retry: { limit: 3, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
}

/** one folder Flux applies, after the stage before it is ready */
export interface FluxStage {
  /** the Kustomization's name */
  readonly name: string;
  /** the folder in the repository, e.g. `dist/prod/app` */
  readonly path: string;
  /**
   * how long its objects may take to become ready (a Job's activeDeadlineSeconds, which bounds
   * every attempt; a rollout's progressDeadlineSeconds times its steps, the deadline being per
   * step without progress): the Kustomization waits a minute more, so their own deadline reports
   * first (Flux stops waiting at once on a Failed Job or a Deployment past its deadline)
   */
  readonly deadlineSeconds: number;
  /**
   * labels of the Jobs of the stage whose ttlSecondsAfterFinished Flux removes: Flux re-creates
   * what disappears from the cluster, so a Job removed by its TTL would run again
   * @default none
   */
  readonly keepFinishedJobs?: Readonly<Record<string, string>>;
}

export interface FluxKustomizationsProps {
  /** where Flux runs */
  readonly namespace: string;
  /** how often Flux reconciles, e.g. `5m` */
  readonly interval: string;
  /** the GitRepository source of the repository */
  readonly sourceName: string;
  /**
   * how soon a failed reconcile (an apply refused, a rollout that timed out) is tried again
   * @default the interval
   */
  readonly retryInterval?: string;
  /**
   * the ServiceAccount, in `namespace`, that kustomize-controller impersonates to apply
   * (multi-tenant lockdown)
   * @default the controller's own
   */
  readonly serviceAccountName?: string;
  /** in apply order, at least one */
  readonly stages: readonly FluxStage[];
}

/** @throws Error naming the prop, when there is no stage */
export function fluxKustomizations(props: FluxKustomizationsProps): IKustomization[] {
  if (props.stages.length === 0) throw new Error('flux kustomizations: stages got []; allowed: at least one stage');
  return props.stages.map((stage, i): IKustomization => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: stage.name, namespace: props.namespace },
    spec: {
      interval: props.interval,
      ...(props.retryInterval ? { retryInterval: props.retryInterval } : {}),
      ...(props.serviceAccountName ? { serviceAccountName: props.serviceAccountName } : {}),
      sourceRef: { kind: 'GitRepository', name: props.sourceName },
      path: `./${stage.path}`,
      prune: true,
      // ready only when every object is: the Job completed, the Deployment rolled out; the next
      // stage's dependsOn waits for exactly that
      wait: true,
      timeout: minutes(stage.deadlineSeconds + 60),
      ...(i > 0 ? { dependsOn: [{ name: props.stages[i - 1].name }] } : {}),
      ...(stage.keepFinishedJobs
        ? {
            // no Kustomization-wide force: on an immutable-field conflict it would delete and
            // recreate the Namespace of this stage, and everything in it. A Job, whose template
            // is immutable, carries the per-object force annotation instead. Under Flux the
            // finished Job stays until a new one replaces it (prune)
            patches: [
              { target: { kind: 'Job', labelSelector: labelSelector(stage.keepFinishedJobs) }, patch: REMOVE_TTL },
            ],
          }
        : {}),
    },
  }));
}

/** a JSON 6902 patch, as Flux takes it: a Job without ttlSecondsAfterFinished */
export const REMOVE_TTL = '- op: remove\n  path: /spec/ttlSecondsAfterFinished\n';

function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function minutes(seconds: number): string {
  return `${Math.ceil(seconds / 60)}m`;
}
