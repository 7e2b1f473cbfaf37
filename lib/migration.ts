/**
 * The database migration (`alembic upgrade head` in the shell image), as a Job that runs before
 * the rollout or as an init container of the app's pods.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { CONFIG_MAP_NAME, contentHash, secretEnv } from './app-env';
import type { EnvironmentConfig } from './config';
import { hardenedContainer, tmpVolume } from './container';
import { APP_NAME, imageReference, recommendedLabels } from './labels';
import { restrictedPodSecurityContext } from './security';

export const MIGRATION_NAME = `${APP_NAME}-migration`;

/** the migration container, the same for both strategies */
export function migrationContainer(config: EnvironmentConfig): k8s.Container {
  const m = config.migration;
  if (!m.image) throw new Error(`migration image missing in environment "${config.name}"`);
  return hardenedContainer({
    name: 'migrate',
    image: imageReference(m.image),
    // explicit command: skips the image entrypoint, whose wait-for-database loop has no timeout
    command: m.command,
    runAsUser: m.runAsUser,
    runAsGroup: m.runAsGroup,
    resources: m.resources,
    // alembic imports the app's settings module, which validates the same variables
    envFrom: [{ configMapRef: { name: CONFIG_MAP_NAME } }],
    env: secretEnv(config),
  });
}

/**
 * Job name from the content of what it runs: a new image (or command, or env) gives a new
 * name, the same config the same name. A Job's pod template is immutable, so re-applying a
 * changed spec under the old name would fail.
 */
export function migrationJobName(template: k8s.PodTemplateSpec): string {
  return `${APP_NAME}-migrate-${contentHash(template).slice(0, 10)}`;
}

export interface MigrationJobProps {
  readonly config: EnvironmentConfig;
}

export class MigrationJob extends Construct {
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const { config } = props;
    const m = config.migration;
    const labels = recommendedLabels(config, 'migration', m.image);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: MIGRATION_NAME,
        namespace: config.namespace,
        labels,
        annotations: {
          // a PreSync hook cannot use what the sync creates later: create its account first
          'argocd.argoproj.io/hook': 'PreSync',
          'argocd.argoproj.io/sync-wave': '-2',
        },
      },
      automountServiceAccountToken: false,
    });

    const template: k8s.PodTemplateSpec = {
      metadata: { labels },
      spec: {
        serviceAccountName: MIGRATION_NAME,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: 'Never',
        securityContext: restrictedPodSecurityContext(m),
        containers: [migrationContainer(config)],
        volumes: [tmpVolume()],
      },
    };
    this.jobName = migrationJobName(template);

    new k8s.KubeJob(this, 'Job', {
      metadata: {
        name: this.jobName,
        namespace: config.namespace,
        labels,
        annotations: {
          // Argo CD: run before the app is synced; a failure stops the sync
          'argocd.argoproj.io/hook': 'PreSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          'argocd.argoproj.io/sync-wave': '-1',
          // Flux: recreate rather than patch if a spec ever changes under the same name
          'kustomize.toolkit.fluxcd.io/force': 'enabled',
        },
      },
      spec: {
        backoffLimit: m.backoffLimit,
        activeDeadlineSeconds: m.activeDeadlineSeconds,
        ttlSecondsAfterFinished: m.ttlSecondsAfterFinished,
        template,
      },
    });
  }
}
