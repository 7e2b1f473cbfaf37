/**
 * The database migration (`alembic upgrade head` in the shell image), as a Job that runs before
 * the rollout or as an init container of the app's pods.
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');
import { Construct } from 'constructs';
import { CONFIG_MAP_NAME, configMapData, secretEnv, UPLOAD_DIR, UPLOADS_VOLUME } from './app-env';
import { contentHash } from './determinism';
import type { EnvironmentConfig } from './config';
import { hardenedContainer, imagePullSecrets, tmpVolume } from './container';
import { ARGOCD_HOOK, ARGOCD_HOOK_DELETE_POLICY, FLUX_FORCE, SYNC_WAVE, WAVE } from './delivery/stages';
import { APP_NAME, imageReference, recommendedLabels } from './labels';
import { restrictedPodSecurityContext } from './security';

export const MIGRATION_NAME = `${APP_NAME}-migration`;
/** the Job's upload folder only has to exist while the settings module is imported */
const JOB_UPLOADS_SIZE = '16Mi';

/**
 * Where the migration reads its settings from. An init container runs in the app's pod, applied
 * with the app's ConfigMap: `configMap`. A Job runs before that ConfigMap is applied (a first
 * sync has none, a later one the previous settings), so it carries the same settings itself:
 * `inline`, from the same function that fills the ConfigMap.
 */
export type SettingsSource = 'configMap' | 'inline';

/** the migration container, the same for both strategies but for where its settings come from */
export function migrationContainer(config: EnvironmentConfig, settings: SettingsSource): k8s.Container {
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
    envFrom: settings === 'configMap' ? [{ configMapRef: { name: CONFIG_MAP_NAME } }] : undefined,
    env: [
      ...(settings === 'inline' ? Object.entries(configMapData(config)).map(([name, value]) => ({ name, value })) : []),
      ...secretEnv(config),
    ],
    // importing the settings module creates the upload folder: the root filesystem is read-only
    volumeMounts: [{ name: UPLOADS_VOLUME, mountPath: UPLOAD_DIR }],
    emptyDirSizes:
      settings === 'inline' ? [JOB_UPLOADS_SIZE] : config.app.uploads.claimName ? [] : [config.app.uploads.sizeLimit],
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
    // the version label on the Job and its pods only: they run the image, its ServiceAccount does not
    const labels = recommendedLabels(config, 'migration');
    const versioned = recommendedLabels(config, 'migration', m.image);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: MIGRATION_NAME,
        namespace: config.namespace,
        labels,
        // a plain object applied before the Job (not a hook: hooks are never pruned)
        annotations: { [SYNC_WAVE]: String(WAVE.beforeMigration) },
      },
      automountServiceAccountToken: false,
    });

    const template: k8s.PodTemplateSpec = {
      metadata: { labels: versioned },
      spec: {
        serviceAccountName: MIGRATION_NAME,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: 'Never',
        securityContext: restrictedPodSecurityContext(m),
        imagePullSecrets: imagePullSecrets(config),
        containers: [migrationContainer(config, 'inline')],
        // the folder only has to exist while the settings module is imported: a small emptyDir
        volumes: [
          tmpVolume(),
          { name: UPLOADS_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(JOB_UPLOADS_SIZE) } },
        ],
      },
    };
    this.jobName = migrationJobName(template);

    new k8s.KubeJob(this, 'Job', {
      metadata: {
        name: this.jobName,
        namespace: config.namespace,
        labels: versioned,
        annotations: {
          // Argo CD: a Sync hook, so it runs after the wave that holds what it needs and before
          // the app's wave; a failure stops the sync. Hooks are not pruned: the previous run of
          // the same name goes when the hook is created again, other names at their TTL
          [ARGOCD_HOOK]: 'Sync',
          [ARGOCD_HOOK_DELETE_POLICY]: 'BeforeHookCreation',
          [SYNC_WAVE]: String(WAVE.migration),
          // Flux: recreate rather than patch if a spec ever changes under the same name
          [FLUX_FORCE]: 'enabled',
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
