import type { EnvironmentConfig } from '../lib/config';
import type { KubeObject } from '../lib/kube-object';
import { synthesizeObjects } from '../lib/render';
import { committedConfig, ENVIRONMENTS } from './helpers';

type Identity = Pick<EnvironmentConfig['app'], 'runAsUser' | 'runAsGroup'>;

/** the restricted profile, written out: this is a contract, so it is compared exactly */
const containerContext = ({ runAsUser, runAsGroup }: Identity) => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup,
  runAsNonRoot: true,
  runAsUser,
  seccompProfile: { type: 'RuntimeDefault' },
});
const podContext = ({ runAsUser, runAsGroup }: Identity) => ({
  fsGroup: runAsGroup,
  fsGroupChangePolicy: 'OnRootMismatch',
  runAsGroup,
  runAsNonRoot: true,
  runAsUser,
  seccompProfile: { type: 'RuntimeDefault' },
});

function podSpecs(objects: readonly KubeObject[]): Array<[string, any]> {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => [`${o.kind}/${o.metadata.name}`, (o.spec as any).template.spec]);
}

describe.each(ENVIRONMENTS)('environment %s', (env) => {
  const config = committedConfig(env);
  const objects = synthesizeObjects(config);
  const pods = podSpecs(objects);
  // the identities the config gives: the migration's for its Job and container, the app's otherwise
  const podIdentity = (name: string) => (name.startsWith('Job/') ? config.migration : config.app);
  const containerIdentity = (container: any) => (container.name === 'migrate' ? config.migration : config.app);

  test('has the pod templates its migration strategy calls for', () => {
    const strategy = config.migration.strategy;
    expect(pods.map(([name]) => name.split('/')[0]).sort()).toEqual(
      strategy === 'job' ? ['Deployment', 'Job'] : ['Deployment'],
    );
  });

  test.each(pods)('%s has the restricted pod securityContext', (name, spec) => {
    expect(spec.securityContext).toEqual(podContext(podIdentity(name)));
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
  });

  test.each(pods)('%s: every container and init container has the restricted securityContext', (_name, spec) => {
    const containers = [...(spec.initContainers ?? []), ...spec.containers];
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers)
      expect({ name: c.name, securityContext: c.securityContext }).toEqual({
        name: c.name,
        securityContext: containerContext(containerIdentity(c)),
      });
  });

  test.each(pods)('%s: /tmp is writable on the read-only root', (_name, spec) => {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    }
    // the app's /tmp is sized to its uploads (test/uploads.test.ts), every other pod's is 256Mi
    const tmp = spec.volumes.find((v: any) => v.name === 'tmp');
    expect(tmp).toEqual({ name: 'tmp', emptyDir: { sizeLimit: expect.stringMatching(/^\d+Mi$/) } });
  });

  test('the namespace enforces the restricted profile', () => {
    const ns = objects.find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('no Secret object and no literal secret value is emitted', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const [, app] = pods.find(([name]) => name.startsWith('Deployment'))!;
    const vars = app.containers[0].env as any[];
    for (const name of ['REVIEWPOINT_DB_URL', 'REVIEWPOINT_JWT_SECRET_KEY', 'REVIEWPOINT_JWT_SECRET']) {
      const v = vars.find((e) => e.name === name);
      expect(v.value).toBeUndefined();
      expect(v.valueFrom.secretKeyRef.name).toBe(config.secrets.name);
    }
    // both JWT names read the same key
    expect(vars.find((e) => e.name === 'REVIEWPOINT_JWT_SECRET').valueFrom).toEqual(
      vars.find((e) => e.name === 'REVIEWPOINT_JWT_SECRET_KEY').valueFrom,
    );
  });

  test('startup and readiness GET /api/v1/metrics on the named port without headers; liveness connects to it', () => {
    const [, app] = pods.find(([name]) => name.startsWith('Deployment'))!;
    const c = app.containers[0];
    for (const probe of [c.startupProbe, c.readinessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/api/v1/metrics', port: 'http', scheme: 'HTTP' });
    }
    // kube-score reports the same path and port for readiness and liveness as critical
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(c.livenessProbe.httpGet).toBeUndefined();
  });
});
