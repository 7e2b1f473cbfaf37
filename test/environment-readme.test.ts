import { kustomize } from '../lib/delivery/model';
import { ENVIRONMENT_README } from '../lib/environment-readme';
import { HTTP_PORT } from '../lib/app/labels';
import { renderEnvironment } from '../lib/render';
import { committedConfig, configFrom, ENVIRONMENTS, minimalConfig, fixtureConfig } from './helpers';

const readmeOf = (files: ReadonlyMap<string, string>) => files.get(ENVIRONMENT_README)!;
const mermaid = (text: string) =>
  text.slice(text.indexOf('```mermaid\n'), text.indexOf('```', text.indexOf('```mermaid\n') + 3));

describe.each(ENVIRONMENTS)('dist/%s/README.md', (env) => {
  const config = committedConfig(env);
  const { files, objects } = renderEnvironment(config);
  const text = readmeOf(files);

  test('is written at the top of the environment, and no kustomization lists it', () => {
    expect(text).toMatch(new RegExp(`^<!-- Generated from config/${env}\\.yaml`));
    for (const [name, content] of files)
      if (name.endsWith('kustomization.yaml')) expect(content).not.toContain(ENVIRONMENT_README);
    // what kustomize renders is exactly the objects: the README adds nothing to apply
    expect(kustomize(files, '').length).toBe(objects.length);
  });

  test('names every image with its digest, or says it has none', () => {
    for (const image of [config.app.image, config.migration.image]) {
      if (!image) continue;
      expect(text).toContain(
        `\`${image.repository}:${image.tag}\` | ${image.digest ? `\`${image.digest}\`` : '**none: the tag can move**'} |`,
      );
    }
  });

  test('draws the traffic the NetworkPolicies allow: pods to DNS and the database, clients in on the app port', () => {
    const diagram = mermaid(text);
    expect(diagram).toMatch(/^```mermaid\nflowchart LR\n/);
    expect(diagram).toMatch(
      new RegExp(` {2}api -->\\|"UDP ${config.dns.port}, TCP ${config.dns.port}"\\| peer\\d+\\n`),
    );
    expect(diagram).toMatch(new RegExp(` {2}peer\\d+ -->\\|"TCP ${HTTP_PORT}"\\| api\\n`));
    expect(diagram).toContain('  service -.-> api\n');
    const database = diagram.match(/ {2}(peer\d+)\[\("database<br\/>/)![1];
    expect(diagram).toContain(`  api -->|"TCP ${config.database.port}"| ${database}\n`);
    if (config.ingress) expect(diagram).toContain('  ingress -.-> service\n');
    if (config.migration.strategy === 'job')
      expect(diagram).toContain(`  migration -->|"TCP ${config.database.port}"| ${database}\n`);
  });
});

describe('the README of an environment', () => {
  test('says when each engine runs a migration Job', () => {
    const text = readmeOf(renderEnvironment(fixtureConfig('prod')).files);
    // a self-heal syncs only what drifted and skips hooks (argo-cd controller/sync.go)
    expect(text).toMatch(
      /\| Argo CD \| a `Sync` hook in wave -1: on every full sync \(a new commit, a retry, a manual sync; .*\), not on a self-heal, which re-applies what drifted and skips hooks \|/,
    );
    expect(text).toMatch(
      /\| Flux \| Kustomization `reviewpoint-backend-prod-migration`: only when the Job's name changes/,
    );
    expect(text).toContain('`kubectl apply -k dist/prod/migration`');
    // what wave -2 (the migration stage under Flux) applied stays when the Job fails
    expect(text).toContain(
      "A failed migration holds back the app's objects, not what is applied before or with the Job: Namespace `reviewpoint-prod`, NetworkPolicy `default-deny`, NetworkPolicy `reviewpoint-backend-egress`, NetworkPolicy `reviewpoint-backend-ingress`, ServiceAccount `reviewpoint-backend-migration`.",
    );
    expect(text).not.toContain('ExternalSecret `');
  });

  test('calls out an image without a digest, and no exposure without an Ingress', () => {
    // GIVEN a config with a tag alone and no ingress
    const text = readmeOf(renderEnvironment(configFrom(minimalConfig())).files);
    // THEN the images table and the exposure say so
    expect(text).toContain(
      '| Deployment `reviewpoint-backend` | `api` | `ghcr.io/acme/backend:1.0.0` | **none: the tag can move** |',
    );
    expect(text).toContain(
      'No Ingress or HTTPRoute: nothing outside the cluster reaches it, and inside it only the peers below.',
    );
  });

  test('shows a weakened security context as such', () => {
    // GIVEN rendered objects whose app container allows privilege escalation
    const config = configFrom(minimalConfig());
    const { objects } = renderEnvironment(config);
    const deployment = objects.find((o) => o.kind === 'Deployment') as any;
    deployment.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    // WHEN the README is rendered from them THEN the table marks it
    const text = readmeOf(renderEnvironment(config, objects).files);
    expect(text).toMatch(
      /\| Deployment `reviewpoint-backend`, `api` \| 65532:65532 \| yes \| yes \| \*\*allowed\*\* \|/,
    );
  });
});

describe('the staging README', () => {
  const text = readmeOf(renderEnvironment(fixtureConfig('staging')).files);

  test('says where the Secret comes from, how the pods stop, and who reaches them through which route', () => {
    expect(text).toContain(
      'Secret `reviewpoint-backend`: written by ExternalSecret `reviewpoint-backend` from ClusterSecretStore `reviewpoint` (`reviewpoint/staging/backend`), every 1h.',
    );
    expect(text).toContain(
      'Shutdown: the pods keep serving 10 s after the stop request (preStop), then uvicorn drains on SIGTERM; killed after 35 s.',
    );
    expect(text).toContain(
      'HTTPRoute `reviewpoint-backend`: **api.staging.reviewpoint.example.com** through Gateway `gateway-system/public`, listener `https`.',
    );
    expect(text).toContain(
      '(gateway); namespace monitoring, pods app.kubernetes.io/name=prometheus (metrics scrapers).',
    );
    expect(mermaid(text)).toContain('  route -.-> service');
  });

  test("says how each engine waits for the ExternalSecret's Secret, and the way out of a sync it holds", () => {
    expect(text).toMatch(/not what is applied before or with the Job: .*ExternalSecret `reviewpoint-backend`/);
    expect(text).toContain(
      'the sync holds forever (retries do not cover a resource that stays Progressing): `argocd app terminate-op reviewpoint-backend-staging`, fix the store, sync again.',
    );
    expect(text).toContain(
      "Flux applies it and the Job in one batch and does not wait for its Secret: the Job's pod waits in CreateContainerConfigError until the Secret exists, within activeDeadlineSeconds (600 s).",
    );
  });

  test('lists the ephemeral storage of every container', () => {
    expect(text).toMatch(/\| Deployment `reviewpoint-backend` \| `api` \| 100m \| none \| 256Mi \| 512Mi \| 1344Mi \|/);
  });
});
