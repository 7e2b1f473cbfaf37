import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { committedConfig, ENVIRONMENTS } from './helpers';

const NAMES = [
  'reviewpoint-backend',
  'reviewpoint-backend-migration',
  'default-deny',
  'reviewpoint-backend-ingress',
  'reviewpoint-backend-egress',
  'reviewpoint-backend-to-database',
  'reviewpoint-backend-from-gateway',
  'reviewpoint-backend-from-monitoring',
];

describe.each(ENVIRONMENTS)('environment %s', (env) => {
  test('matches the snapshot', () => {
    // GIVEN the committed config
    const config = committedConfig(env);
    // WHEN it is rendered
    const { files } = renderEnvironment(config);
    // THEN every file is as reviewed
    expect(Object.fromEntries(files)).toMatchSnapshot();
  });

  test('puts every object in the namespace, with recommended labels and readable names', () => {
    const config = committedConfig(env);
    for (const obj of synthesizeObjects(config)) {
      // a Namespace is cluster-scoped: it carries no namespace of its own
      expect(obj.metadata.namespace).toBe(obj.kind === 'Namespace' ? undefined : config.namespace);
      expect(obj.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'reviewpoint-backend',
        'app.kubernetes.io/instance': `reviewpoint-backend-${env}`,
        'app.kubernetes.io/part-of': 'reviewpoint',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
      // fixed names, never construct-path hashes; only the Job carries a (content) hash
      const expected =
        obj.kind === 'Namespace'
          ? config.namespace
          : obj.kind === 'Job'
            ? 'reviewpoint-backend-migrate-<hash>'
            : undefined;
      if (expected) expect(obj.metadata.name.replace(/[0-9a-f]{10}$/, '<hash>')).toBe(expected);
      else expect(NAMES).toContain(obj.metadata.name);
    }
  });

  test('lists every file in the kustomization.yaml of its folder, and every stage in the top one', () => {
    const { files, stages } = renderEnvironment(committedConfig(env));
    for (const name of files.keys()) {
      const slash = name.lastIndexOf('/');
      if (slash === -1) continue;
      const kustomization = files.get(`${name.slice(0, slash)}/kustomization.yaml`)!;
      if (!name.endsWith('/kustomization.yaml')) expect(kustomization).toContain(`- ${name.slice(slash + 1)}\n`);
    }
    expect(files.get('kustomization.yaml')).toContain(`resources:\n${stages.map((s) => `  - ${s}\n`).join('')}`);
  });
});
