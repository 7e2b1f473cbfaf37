import type { KubeObject } from '../lib/kube-object';
import { synthesizeObjects } from '../lib/render';
import { configFrom, minimalConfig } from './helpers';

const jobs = (objects: readonly KubeObject[]) => objects.filter((o) => o.kind === 'Job');
const deployment = (objects: readonly KubeObject[]) => objects.find((o) => o.kind === 'Deployment') as any;

describe('migration strategy "job"', () => {
  const objects = synthesizeObjects(configFrom(minimalConfig()));
  const job = jobs(objects)[0] as any;

  test('emits one Job and no init container', () => {
    expect(jobs(objects)).toHaveLength(1);
    expect(deployment(objects).spec.template.spec.initContainers).toBeUndefined();
  });

  test('runs alembic upgrade head from /app in the shell image', () => {
    const c = job.spec.template.spec.containers[0];
    expect(c).toMatchObject({ image: 'ghcr.io/acme/backend-shell:1.0.0', workingDir: '/app' });
    // after a bounded wait for the database (test/rollouts.test.ts)
    expect(c.command.slice(-3)).toEqual(['alembic', 'upgrade', 'head']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('is bounded: backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished', () => {
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400 });
  });

  test('is an Argo CD Sync hook, recreated before each sync, in a wave after what it needs and before the app', () => {
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '-1',
      'kustomize.toolkit.fluxcd.io/force': 'enabled',
    });
    const account = objects.find(
      (o) => o.kind === 'ServiceAccount' && o.metadata.name === job.spec.template.spec.serviceAccountName,
    )!;
    expect(Number((account.metadata as any).annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(-1);
    // a plain object, so Argo CD prunes it like any other
    expect((account.metadata as any).annotations['argocd.argoproj.io/hook']).toBeUndefined();
  });

  test('carries its settings itself, the same the ConfigMap holds, and reads no ConfigMap', () => {
    const c = job.spec.template.spec.containers[0];
    const configMap = objects.find((o) => o.kind === 'ConfigMap') as any;
    expect(c.envFrom).toBeUndefined();
    const literal = Object.fromEntries(
      c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]),
    );
    expect(literal).toEqual(configMap.data);
  });

  test('can create the upload folder the settings module makes at import', () => {
    const spec = job.spec.template.spec;
    const mount = spec.containers[0].volumeMounts.find((m: any) => m.mountPath === '/app/uploads');
    expect(spec.volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
  });
});

describe('the Job name', () => {
  const jobName = (data: Record<string, any>) => jobs(synthesizeObjects(configFrom(data)))[0].metadata.name;
  const names = (data: Record<string, any>) =>
    synthesizeObjects(configFrom(data))
      .filter((o) => o.kind !== 'Job')
      .map((o) => `${o.kind}/${o.metadata.name}`);

  test('is the same when the config is the same', () => {
    expect(jobName(minimalConfig())).toBe(jobName(minimalConfig()));
    expect(jobName(minimalConfig())).toMatch(/^reviewpoint-backend-migrate-[0-9a-f]{10}$/);
  });

  test('changes when the migration image changes, and no other name does', () => {
    const next = minimalConfig();
    next.migration.image.tag = '1.0.1';
    expect(jobName(next)).not.toBe(jobName(minimalConfig()));
    expect(names(next)).toEqual(names(minimalConfig()));
  });

  test('changes when the migration image digest changes', () => {
    const a = minimalConfig();
    a.migration.image.digest = `sha256:${'1'.repeat(64)}`;
    const b = minimalConfig();
    b.migration.image.digest = `sha256:${'2'.repeat(64)}`;
    expect(jobName(a)).not.toBe(jobName(b));
  });

  test('does not change when only the app image changes', () => {
    const next = minimalConfig();
    next.app.image.tag = '9.9.9';
    expect(jobName(next)).toBe(jobName(minimalConfig()));
  });
});

describe('migration strategy "initContainer"', () => {
  const data = minimalConfig();
  data.migration.strategy = 'initContainer';
  const objects = synthesizeObjects(configFrom(data));

  test('runs the migration before the app in every pod, and emits no Job', () => {
    expect(jobs(objects)).toEqual([]);
    const init = deployment(objects).spec.template.spec.initContainers;
    expect(init).toHaveLength(1);
    expect(init[0]).toMatchObject({ name: 'migrate', image: 'ghcr.io/acme/backend-shell:1.0.0' });
    expect(init[0].command.slice(-3)).toEqual(['alembic', 'upgrade', 'head']);
  });

  test('reads the app ConfigMap and writes the upload folder on the pod uploads volume', () => {
    const init = deployment(objects).spec.template.spec.initContainers[0];
    expect(init.envFrom).toEqual([{ configMapRef: { name: 'reviewpoint-backend' } }]);
    expect(init.volumeMounts).toContainEqual({ name: 'uploads', mountPath: '/app/uploads' });
  });

  test('bounds a hung migration with the progress deadline', () => {
    expect(deployment(objects).spec.progressDeadlineSeconds).toBe(600);
  });

  test('allows several replicas with the explicit opt-in', () => {
    const many = minimalConfig();
    many.migration.strategy = 'initContainer';
    many.migration.allowConcurrentInitContainers = true;
    many.app.replicas = 3;
    expect(deployment(synthesizeObjects(configFrom(many))).spec.template.spec.initContainers).toHaveLength(1);
  });
});

describe('migration strategy "none"', () => {
  test('emits neither Job nor init container, and needs no shell image', () => {
    const data = minimalConfig();
    data.migration = { strategy: 'none' };
    const objects = synthesizeObjects(configFrom(data));
    expect(jobs(objects)).toEqual([]);
    expect(deployment(objects).spec.template.spec.initContainers).toBeUndefined();
    expect(objects.filter((o) => o.metadata.name === 'reviewpoint-backend-migration')).toEqual([]);
  });
});
