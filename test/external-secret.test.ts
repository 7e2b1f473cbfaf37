import { declaredPrerequisites } from '../lib/delivery';
import { argoCdPlan, fluxPlan, kubectlPlan, kustomize, objectsIn } from '../lib/delivery/model';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { validateWithCrdModels } from './crd-models';
import { fixtureConfig, configFrom, minimalConfig } from './helpers';

const names = (objects: readonly any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('staging, with its Secret from a store', () => {
  const objects = synthesizeObjects(fixtureConfig('staging')) as any[];
  const externalSecret = objects.find((o) => o.kind === 'ExternalSecret');

  test('has an ExternalSecret for every key the pods read, valid for the v1 schema and the package', () => {
    expect(externalSecret.apiVersion).toBe('external-secrets.io/v1');
    expect(externalSecret.metadata).toMatchObject({
      name: 'reviewpoint-backend',
      namespace: 'reviewpoint-staging',
      annotations: { 'argocd.argoproj.io/sync-wave': '-2' },
    });
    expect(externalSecret.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'reviewpoint', kind: 'ClusterSecretStore' },
      target: { name: 'reviewpoint-backend', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: ['db-url', 'jwt-secret-key', 'api-key'].map((key) => ({
        secretKey: key,
        remoteRef: { key: 'reviewpoint/staging/backend', property: key },
      })),
    });
    expect(validateSchema(externalSecret)).toEqual([]);
    expect(validateWithCrdModels(externalSecret)).toEqual([]);
  });

  test('needs the store before the first sync, and no longer the Secret', () => {
    expect(declaredPrerequisites(fixtureConfig('staging'))).toEqual([
      { kind: 'ClusterSecretStore', name: 'reviewpoint' },
    ]);
  });

  test('is ready before the migration under Argo CD; under Flux and kubectl it lands with the Job, which waits for its Secret', () => {
    const r = renderEnvironment(fixtureConfig('staging'));
    const all = kustomize(r.files, '');
    const argo = argoCdPlan(all).steps;
    expect(argo.map((s) => s.name)).toEqual(['namespaces first', 'Sync wave -2', 'Sync wave -1', 'Sync wave 0']);
    expect(names(argo[1].objects)).toContain('ExternalSecret/reviewpoint-backend');
    expect(names(argo[2].objects)).toEqual([expect.stringMatching(/^Job\//)]);
    // Flux: the migration stage applies both in one batch, and its wait does not cover the
    // ExternalSecret (kstatus calls a fresh one Current); the Job's pod waits for the Secret
    // within activeDeadlineSeconds
    const flux = fluxPlan(r.files, objectsIn(r.files, 'delivery/flux'), 'dist/staging').steps;
    expect(names(flux[0].objects)).toEqual(
      expect.arrayContaining(['ExternalSecret/reviewpoint-backend', expect.stringMatching(/^Job\//)]),
    );
    expect(flux[0].objects.filter((o) => !flux[0].waitsFor(o)).map((o) => o.kind)).toEqual(['ExternalSecret']);
    expect(flux[0].objects.find((o) => o.kind === 'Job')!.spec.activeDeadlineSeconds).toBe(600);
    // kubectl: the same folder, the ExternalSecret listed before the Job
    const first = names(kubectlPlan(r.files).steps[0].objects);
    expect(first.indexOf('ExternalSecret/reviewpoint-backend')).toBeLessThan(
      first.findIndex((n) => n.startsWith('Job/')),
    );
  });
});

describe('an ExternalSecret', () => {
  const withStore = (change: (es: Record<string, any>) => void = () => {}) => {
    const data = minimalConfig();
    data.secrets.externalSecret = { store: { name: 'vault' }, remoteKey: 'apps/backend' };
    change(data.secrets.externalSecret);
    return configFrom(data);
  };

  test('reads a namespaced SecretStore by default, which must then exist in the namespace', () => {
    const config = withStore();
    const es = (synthesizeObjects(config) as any[]).find((o) => o.kind === 'ExternalSecret');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'SecretStore' });
    expect(declaredPrerequisites(config)).toEqual([{ kind: 'SecretStore', name: 'vault', namespace: 'rp-test' }]);
  });

  test('takes remote property names from the config, and leaves out the API key when the backend checks none', () => {
    const config = withStore((es) => {
      es.properties = { 'db-url': 'DATABASE_URL' };
    });
    const data = (synthesizeObjects(config) as any[]).find((o) => o.kind === 'ExternalSecret').spec.data;
    expect(data[0]).toEqual({ secretKey: 'db-url', remoteRef: { key: 'apps/backend', property: 'DATABASE_URL' } });
    const raw = minimalConfig();
    raw.settings.apiKeyEnabled = false;
    raw.secrets.externalSecret = { store: { name: 'vault' }, remoteKey: 'apps/backend' };
    expect(
      (synthesizeObjects(configFrom(raw)) as any[])
        .find((o) => o.kind === 'ExternalSecret')
        .spec.data.map((d: any) => d.secretKey),
    ).toEqual(['db-url', 'jwt-secret-key']);
  });

  test('goes with the Deployment when there is no migration Job: the pods wait for the Secret', () => {
    const data = minimalConfig();
    data.migration = { strategy: 'none' };
    data.secrets.externalSecret = { store: { name: 'vault' }, remoteKey: 'apps/backend' };
    const r = renderEnvironment(configFrom(data));
    expect(r.stages).toEqual(['app']);
    expect([...r.files.keys()]).toContain('app/externalsecret-backend-secrets.yaml');
  });
});
