/**
 * Storage that matches the traffic: /tmp sized from the accepted body size and the uploads a pod
 * takes at once, uploads shared by several pods on a claim they can all mount, a claim the output
 * creates kept by the engines; and a rotated Secret that reaches the pods (secrets.reload).
 */
import { annotationFindings } from '../lib/annotation-policy';
import { checkRenderedDelivery, declaredPrerequisites } from '../lib/delivery';
import { argoCdPlan } from '../lib/delivery/model';
import { deliveryObjects } from '../lib/app/delivery';
import { nginxSize } from '../lib/nginx-size';
import { validateWithCrdModels } from './crd-models';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { findViolations } from '../lib/verify';
import { committedConfig, configFrom, minimalConfig, productionConfig } from './helpers';

const WHERE = 'config error in environment "test" (config/test.yaml), field ';
const deployment = (objects: readonly any[]) => objects.find((o) => o.kind === 'Deployment');
const volume = (objects: readonly any[], name: string) =>
  deployment(objects).spec.template.spec.volumes.find((v: any) => v.name === name);
const api = (objects: readonly any[]) => deployment(objects).spec.template.spec.containers[0];
const objectsOf = (data: Record<string, any>) => synthesizeObjects(configFrom(data)) as any[];
const withBody = (size: string) => {
  const c = minimalConfig();
  c.ingress = { host: 'api.example.com', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': size } };
  return c;
};
const RWX = { size: '20Gi', storageClassName: 'nfs-client', accessMode: 'ReadWriteMany' };

describe('nginx sizes', () => {
  test('reads bytes and k, m, g in powers of 1024 in either case, and 0 as no limit', () => {
    expect([nginxSize('512'), nginxSize('8k'), nginxSize('100m'), nginxSize('1G'), nginxSize('0')]).toEqual([
      512,
      8 * 1024,
      100 * 2 ** 20,
      2 ** 30,
      'unlimited',
    ]);
  });

  test('reads no unit nginx does not know, nor a quantity suffix', () => {
    expect([nginxSize('100MB'), nginxSize('100Mi'), nginxSize('1.5m'), nginxSize('')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('the size of /tmp', () => {
  test('follows the Ingress body size x the concurrent uploads + 64Mi, and the ephemeral storage follows it', () => {
    // GIVEN 100m bodies and the default 4 uploads at once; WHEN synthesized
    const objects = objectsOf(withBody('100m'));
    // THEN /tmp holds 4 x 100Mi + 64Mi, and the container requests it with its uploads and logs
    expect(volume(objects, 'tmp')).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '464Mi' } });
    expect(api(objects).resources.limits['ephemeral-storage']).toBe(`${464 + 1024 + 64}Mi`);
    expect(api(objects).resources.requests['ephemeral-storage']).toBe(`${464 + 1024 + 64}Mi`);
  });

  test('follows app.uploads.concurrent', () => {
    const data = withBody('100m');
    data.app.uploads = { concurrent: 2 };
    expect(volume(objectsOf(data), 'tmp').emptyDir.sizeLimit).toBe('264Mi');
  });

  test('follows app.maxBodySize when it is above the Ingress annotation, or there is no Ingress', () => {
    const data = withBody('10m');
    data.app.maxBodySize = '1g';
    expect(volume(objectsOf(data), 'tmp').emptyDir.sizeLimit).toBe(`${4 * 1024 + 64}Mi`);
    const routeOnly = minimalConfig();
    routeOnly.app.maxBodySize = '200m';
    expect(volume(objectsOf(routeOnly), 'tmp').emptyDir.sizeLimit).toBe('864Mi');
  });

  test('stays 256Mi where the body size is small or unknown', () => {
    expect(volume(objectsOf(withBody('8m')), 'tmp').emptyDir.sizeLimit).toBe('256Mi');
    expect(volume(objectsOf(minimalConfig()), 'tmp').emptyDir.sizeLimit).toBe('256Mi');
  });

  test('is app.tmpSizeLimit when it is set, in the app and its migration init container alike', () => {
    const data = withBody('100m');
    data.app.tmpSizeLimit = '1Gi';
    data.migration.strategy = 'initContainer';
    const objects = objectsOf(data);
    expect(volume(objects, 'tmp').emptyDir.sizeLimit).toBe('1Gi');
    const init = deployment(objects).spec.template.spec.initContainers[0];
    expect(init.resources.limits['ephemeral-storage']).toBe(`${1024 + 1024 + 64}Mi`);
  });

  test('is 464Mi in the committed prod, from its 100m proxy-body-size', () => {
    expect(volume(synthesizeObjects(committedConfig('prod')) as any[], 'tmp').emptyDir.sizeLimit).toBe('464Mi');
  });

  test('fails when app.tmpSizeLimit is below the body size x the concurrent uploads + headroom, with the numbers', () => {
    const data = withBody('100m');
    data.app.tmpSizeLimit = '256Mi';
    expect(() => configFrom(data)).toThrow(
      `${WHERE}app.tmpSizeLimit: got "256Mi", below 4 concurrent uploads (app.uploads.concurrent) x 100m (ingress.annotations.nginx.ingress.kubernetes.io/proxy-body-size) + 64Mi headroom = 464Mi`,
    );
  });

  test('fails when app.tmpSizeLimit is below app.maxBodySize x the concurrent uploads', () => {
    const data = minimalConfig();
    data.app.maxBodySize = '50m';
    data.app.uploads = { concurrent: 8 };
    data.app.tmpSizeLimit = '400Mi';
    expect(() => configFrom(data)).toThrow(
      /app\.tmpSizeLimit: got "400Mi", below 8 concurrent uploads .* x 50m \(app\.maxBodySize\) \+ 64Mi headroom = 464Mi.*allowed: at least 464Mi/,
    );
  });

  test('fails when the Ingress accepts bodies of any size and app.tmpSizeLimit is not set', () => {
    expect(() => configFrom(withBody('0'))).toThrow(
      `${WHERE}app.tmpSizeLimit: missing while ingress.annotations.nginx.ingress.kubernetes.io/proxy-body-size is "0" (no limit on a request body)`,
    );
    const sized = withBody('0');
    sized.app.tmpSizeLimit = '2Gi';
    expect(volume(objectsOf(sized), 'tmp').emptyDir.sizeLimit).toBe('2Gi');
  });

  test('fails when app.maxBodySize is 0 and app.tmpSizeLimit is not set', () => {
    const data = minimalConfig();
    data.app.maxBodySize = '0';
    expect(() => configFrom(data)).toThrow(/app\.tmpSizeLimit: missing while app\.maxBodySize is "0"/);
  });

  test('fails when a production environment exposed through route states no body size', () => {
    // GIVEN production behind a Gateway, whose HTTPRoute bounds no body
    const data = productionConfig();
    data.route = { gateway: { name: 'public', namespace: 'gateway-system' }, hostnames: ['api.example.com'] };
    // WHEN neither app.maxBodySize nor app.tmpSizeLimit says how large uploads get THEN refused
    expect(() => configFrom(data)).toThrow(
      `${WHERE}app.maxBodySize: missing in a production environment exposed through route: an HTTPRoute sets no limit on a request body`,
    );
    data.app.maxBodySize = '50m';
    expect(volume(objectsOf(data), 'tmp').emptyDir.sizeLimit).toBe('264Mi');
  });

  test('fails when the proxy-body-size annotation is not an nginx size', () => {
    expect(() => configFrom(withBody('100MB'))).toThrow(
      `${WHERE}ingress.annotations.nginx.ingress.kubernetes.io/proxy-body-size: got "100MB", which ingress-nginx does not read as a size; allowed: an nginx size`,
    );
  });

  test('fails when app.maxBodySize is not an nginx size, a Kubernetes quantity included', () => {
    const data = minimalConfig();
    data.app.maxBodySize = '100Mi';
    expect(() => configFrom(data)).toThrow(/field app\.maxBodySize: .*allowed: an nginx size/);
  });

  test('fails when app.uploads.concurrent is 0', () => {
    const data = minimalConfig();
    data.app.uploads = { concurrent: 0 };
    expect(() => configFrom(data)).toThrow(/field app\.uploads\.concurrent: /);
  });

  test('fails when app.tmpSizeLimit is not a quantity', () => {
    const data = minimalConfig();
    data.app.tmpSizeLimit = '512MB';
    expect(() => configFrom(data)).toThrow(/field app\.tmpSizeLimit: .*allowed: a Kubernetes quantity above zero/);
  });
});

describe('uploads shared by several pods', () => {
  test('fails when a production environment keeps them in per-pod emptyDirs with several replicas', () => {
    const data = productionConfig();
    data.app.uploads = {};
    expect(() => configFrom(data)).toThrow(
      `${WHERE}app.uploads: an emptyDir per pod with 2 replicas (app.replicas) in a production environment: the uploaded files are split between the pods and deleted with each pod`,
    );
  });

  test('fails when a production environment keeps them in per-pod emptyDirs under an autoscaler', () => {
    const data = productionConfig();
    data.app.uploads = {};
    delete data.app.replicas;
    data.app.autoscaling = { minReplicas: 2, maxReplicas: 5 };
    expect(() => configFrom(data)).toThrow(
      /field app\.uploads: an emptyDir per pod with up to 5 replicas \(app\.autoscaling\)/,
    );
  });

  test('passes per-pod emptyDirs in production when they are disposable, and outside production', () => {
    const data = productionConfig();
    data.app.uploads = { disposable: true };
    expect(volume(objectsOf(data), 'uploads')).toEqual({ name: 'uploads', emptyDir: { sizeLimit: '1Gi' } });
    const staging = productionConfig();
    staging.production = false;
    staging.app.uploads = {};
    expect(() => configFrom(staging)).not.toThrow();
  });

  test('fails when app.uploads.disposable is not a boolean', () => {
    const data = productionConfig();
    data.app.uploads = { disposable: 'yes' };
    expect(() => configFrom(data)).toThrow(/field app\.uploads\.disposable: /);
  });

  test('fails when an existing claim has no access mode declared with several replicas', () => {
    const data = productionConfig();
    data.app.uploads = { claimName: 'uploads' };
    expect(() => configFrom(data)).toThrow(
      `${WHERE}app.uploads.accessMode: missing with 2 replicas (app.replicas): the pods share the claim`,
    );
  });

  test('fails when an existing claim is ReadWriteOnce with several replicas', () => {
    const data = productionConfig();
    data.app.uploads = { claimName: 'uploads', accessMode: 'ReadWriteOnce' };
    expect(() => configFrom(data)).toThrow(
      /app\.uploads\.accessMode: got "ReadWriteOnce" with 2 replicas .*allowed: ReadWriteMany/,
    );
  });

  test('fails when a one-pod claim meets a rollout that surges', () => {
    const data = minimalConfig();
    data.app.uploads = { claimName: 'uploads', accessMode: 'ReadWriteOncePod' };
    expect(() => configFrom(data)).toThrow(
      /app\.uploads\.accessMode: got "ReadWriteOncePod" with app\.rollingUpdate\.maxSurge 1: .*the claim admits one pod.*allowed: ReadWriteMany, or maxSurge 0 with maxUnavailable 1/,
    );
    data.app.rollingUpdate = { maxSurge: 0, maxUnavailable: 1 };
    expect(() => configFrom(data)).not.toThrow();
  });

  test('mounts an existing ReadWriteMany claim, a prerequisite, and keeps a claim without access mode for one replica', () => {
    const data = productionConfig();
    data.app.uploads = { claimName: 'uploads', accessMode: 'ReadWriteMany' };
    const config = configFrom(data);
    expect(volume(synthesizeObjects(config) as any[], 'uploads')).toEqual({
      name: 'uploads',
      persistentVolumeClaim: { claimName: 'uploads' },
    });
    expect(declaredPrerequisites(config)).toContainEqual({
      kind: 'PersistentVolumeClaim',
      name: 'uploads',
      namespace: 'rp-test',
    });
    const single = minimalConfig();
    single.app.uploads = { claimName: 'uploads' };
    expect(() => configFrom(single)).not.toThrow();
  });

  test('fails when app.uploads.accessMode is set without a claimName', () => {
    const data = minimalConfig();
    data.app.uploads = { accessMode: 'ReadWriteMany' };
    expect(() => configFrom(data)).toThrow(
      `${WHERE}app.uploads.accessMode: got "ReadWriteMany" without claimName: it declares the access mode of an existing claim`,
    );
  });

  test('fails when app.uploads.accessMode is ReadOnlyMany', () => {
    const data = minimalConfig();
    data.app.uploads = { claimName: 'uploads', accessMode: 'ReadOnlyMany' };
    expect(() => configFrom(data)).toThrow(/field app\.uploads\.accessMode: .*ReadWriteMany/);
  });
});

describe('a claim the output creates (app.uploads.volume)', () => {
  const data = () => {
    const c = productionConfig();
    c.app.uploads = { volume: RWX };
    return c;
  };

  test('is a PersistentVolumeClaim that no engine prunes or deletes, which the pods mount', () => {
    const objects = objectsOf(data());
    const claim = objects.find((o) => o.kind === 'PersistentVolumeClaim');
    expect(claim).toMatchObject({
      metadata: {
        name: 'reviewpoint-backend-uploads',
        namespace: 'rp-test',
        annotations: {
          'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
          'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        },
      },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: 'nfs-client',
        resources: { requests: { storage: '20Gi' } },
      },
    });
    expect(volume(objects, 'uploads')).toEqual({
      name: 'uploads',
      persistentVolumeClaim: { claimName: 'reviewpoint-backend-uploads' },
    });
    // a claim is a volume of its own: only /tmp and the logs count as ephemeral storage
    expect(api(objects).resources.limits['ephemeral-storage']).toBe('320Mi');
  });

  test('leaves storageClassName to the cluster default when none is given', () => {
    const c = data();
    c.app.uploads.volume = { size: '5Gi', accessMode: 'ReadWriteMany' };
    const claim = objectsOf(c).find((o) => o.kind === 'PersistentVolumeClaim');
    expect(claim.spec.storageClassName).toBeUndefined();
  });

  test("is in the app's stage, applied by Argo CD before the Deployment in the same wave, and passes every delivery rule", () => {
    const config = configFrom(data());
    const rendered = renderEnvironment(config);
    expect([...rendered.files.keys()]).toContain('app/persistentvolumeclaim-reviewpoint-backend-uploads.yaml');
    const step = argoCdPlan(synthesizeObjects(config) as any[]).steps.find((s) =>
      s.objects.some((o) => o.kind === 'PersistentVolumeClaim'),
    )!;
    const kinds = step.objects.map((o) => o.kind);
    expect(step.name).toBe('Sync wave 0');
    expect(kinds.indexOf('PersistentVolumeClaim')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(checkRenderedDelivery(config, rendered)).toEqual([]);
    // created here, so not something to create before the first sync
    expect(declaredPrerequisites(config).some((p) => p.kind === 'PersistentVolumeClaim')).toBe(false);
  });

  test('is what the committed prod shares between its replicas, on a ReadWriteMany class', () => {
    const claim = (synthesizeObjects(committedConfig('prod')) as any[]).find((o) => o.kind === 'PersistentVolumeClaim');
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(claim.spec.storageClassName).toBe('efs-sc');
  });

  test('fails when it is ReadWriteOnce with several replicas', () => {
    const c = data();
    c.app.uploads.volume = { ...RWX, accessMode: 'ReadWriteOnce' };
    expect(() => configFrom(c)).toThrow(
      `${WHERE}app.uploads.volume.accessMode: got "ReadWriteOnce" with 2 replicas (app.replicas): the pods share the claim`,
    );
  });

  test('fails when it has no access mode', () => {
    const c = data();
    c.app.uploads.volume = { size: '20Gi' };
    expect(() => configFrom(c)).toThrow(/field app\.uploads\.volume\.accessMode: /);
  });

  test('fails when its size is not a quantity', () => {
    const c = data();
    c.app.uploads.volume = { ...RWX, size: '20GB' };
    expect(() => configFrom(c)).toThrow(/field app\.uploads\.volume\.size: .*a Kubernetes quantity above zero/);
  });

  test('fails when its storage class is not a DNS subdomain', () => {
    const c = data();
    c.app.uploads.volume = { ...RWX, storageClassName: 'NFS Client' };
    expect(() => configFrom(c)).toThrow(/field app\.uploads\.volume\.storageClassName: /);
  });

  test('fails when an existing claim is named too', () => {
    const c = data();
    c.app.uploads.claimName = 'uploads';
    c.app.uploads.accessMode = 'ReadWriteMany';
    expect(() => configFrom(c)).toThrow(
      `${WHERE}app.uploads: got both volume and claimName "uploads"; allowed: one of them`,
    );
  });
});

describe('secret rotation (secrets.reload)', () => {
  test('has Stakater Reloader roll the app and the workers that read the Secret, and no other', () => {
    // GIVEN the opt-in, a Secret of app.env and two workers, one without the backend's env
    const data = minimalConfig();
    data.secrets.reload = 'stakater';
    data.app.env = [{ name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } }];
    data.workers = {
      mailer: { command: ['/app/.venv/bin/python', '-m', 'mailer'], healthCommand: ['true'] },
      plain: { command: ['/bin/plain'], healthCommand: ['true'], backendEnv: false },
    };
    const objects = objectsOf(data);
    const annotations = (name: string) =>
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).metadata.annotations;
    // THEN the app reloads on its Secrets, the mailer on the backend's, the plain worker on none
    expect(annotations('reviewpoint-backend')).toEqual({
      'secret.reloader.stakater.com/reload': 'backend-secrets,smtp',
    });
    expect(annotations('reviewpoint-backend-worker-mailer')).toEqual({
      'secret.reloader.stakater.com/reload': 'backend-secrets',
    });
    expect(annotations('reviewpoint-backend-worker-plain')).toBeUndefined();
  });

  test('goes through the annotation policy: not an engine control annotation', () => {
    const data = minimalConfig();
    data.secrets.reload = 'stakater';
    const objects = objectsOf(data);
    expect(annotationFindings(deployment(objects).metadata.annotations)).toEqual([]);
    expect(findViolations(objects, { environment: 'test', production: false })).toEqual({
      schema: [],
      api: [],
      policy: [],
    });
  });

  test('has the Argo CD Application ignore what Reloader writes on the pod template, so self-heal keeps it', () => {
    // GIVEN the opt-in  WHEN the delivery objects are built  THEN the annotation Reloader's annotations
    // strategy writes on the Deployments' pod template is out of Argo CD's diff
    const data = minimalConfig();
    data.secrets.reload = 'stakater';
    const config = configFrom(data);
    const application = deliveryObjects(config, ['app']).find((o) => o.kind === 'Application') as any;
    expect(application.spec.ignoreDifferences).toEqual([
      {
        group: 'apps',
        kind: 'Deployment',
        jsonPointers: ['/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from'],
      },
    ]);
    // AND the Application still passes its CRD schema
    expect(validateWithCrdModels(application)).toEqual([]);
    // AND without the opt-in the Application ignores nothing
    const plain = deliveryObjects(configFrom(minimalConfig()), ['app']).find((o) => o.kind === 'Application') as any;
    expect(plain.spec.ignoreDifferences).toBeUndefined();
  });

  test('adds nothing without the opt-in', () => {
    expect(deployment(objectsOf(minimalConfig())).metadata.annotations).toBeUndefined();
  });

  test('fails when secrets.reload names another reloader', () => {
    const data = minimalConfig();
    data.secrets.reload = 'kyverno';
    expect(() => configFrom(data)).toThrow(/field secrets\.reload: .*stakater/);
  });
});

describe('the environment README', () => {
  test('shows /tmp and a created claim, and the restart that brings a rotated Secret to the pods', () => {
    const c = productionConfig();
    c.app.uploads = { volume: RWX };
    const readme = renderEnvironment(configFrom(c)).files.get('README.md')!;
    expect(readme).toContain('Storage: `/tmp` is an emptyDir of 256Mi per pod');
    expect(readme).toContain(
      'Uploads (`/app/uploads`): PersistentVolumeClaim `reviewpoint-backend-uploads` of this output, 20Gi, ReadWriteMany, class `nfs-client`; no engine prunes or deletes it.',
    );
    expect(readme).toContain('after it changes, `kubectl -n rp-test rollout restart deployment/reviewpoint-backend`.');
  });

  test('shows an existing claim, disposable emptyDirs, and the reloader', () => {
    const claim = minimalConfig();
    claim.app.uploads = { claimName: 'team-uploads' };
    claim.secrets.reload = 'stakater';
    const readme = renderEnvironment(configFrom(claim)).files.get('README.md')!;
    expect(readme).toContain('Uploads (`/app/uploads`): the existing PersistentVolumeClaim `team-uploads`');
    expect(readme).toContain(
      'Rotation: Stakater Reloader rolls Deployment `reviewpoint-backend` when `backend-secrets` changes',
    );
    const empty = renderEnvironment(configFrom(minimalConfig())).files.get('README.md')!;
    expect(empty).toContain("an emptyDir of 1Gi per pod: each pod's own files, deleted with the pod at every rollout");
  });
});
