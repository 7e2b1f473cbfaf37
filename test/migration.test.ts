import { synthesizeObjects, type KubeObject } from '../lib/render';
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
    expect(c).toMatchObject({ image: 'ghcr.io/acme/backend-shell:1.0.0', command: ['alembic', 'upgrade', 'head'], workingDir: '/app' });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('is bounded: backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished', () => {
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400 });
  });

  test('is an Argo CD PreSync hook, recreated before each sync, in a wave before the app', () => {
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PreSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '-1',
      'kustomize.toolkit.fluxcd.io/force': 'enabled',
    });
    const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === job.spec.template.spec.serviceAccountName)!;
    expect(Number((account.metadata as any).annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(-1);
  });
});

describe('the Job name', () => {
  const jobName = (data: Record<string, any>) => jobs(synthesizeObjects(configFrom(data)))[0].metadata.name;
  const names = (data: Record<string, any>) => synthesizeObjects(configFrom(data)).filter((o) => o.kind !== 'Job').map((o) => `${o.kind}/${o.metadata.name}`);

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
    expect(init[0]).toMatchObject({ name: 'migrate', image: 'ghcr.io/acme/backend-shell:1.0.0', command: ['alembic', 'upgrade', 'head'] });
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
