import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { committedConfig, ENVIRONMENTS } from './helpers';

const NAMES = ['reviewpoint-backend', 'reviewpoint-backend-migration', 'default-deny', 'reviewpoint-backend-ingress', 'reviewpoint-backend-egress'];

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
      if (obj.kind !== 'Namespace') expect(obj.metadata.namespace).toBe(config.namespace);
      expect(obj.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'reviewpoint-backend',
        'app.kubernetes.io/instance': `reviewpoint-backend-${env}`,
        'app.kubernetes.io/part-of': 'reviewpoint',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
      // fixed names, never construct-path hashes; only the Job carries a (content) hash
      const expected = obj.kind === 'Namespace' ? config.namespace : obj.kind === 'Job' ? 'reviewpoint-backend-migrate-<hash>' : undefined;
      if (expected) expect(obj.metadata.name.replace(/[0-9a-f]{10}$/, '<hash>')).toBe(expected);
      else expect(NAMES).toContain(obj.metadata.name);
    }
  });

  test('lists every object file in kustomization.yaml', () => {
    const { files } = renderEnvironment(committedConfig(env));
    const kustomization = files.get('kustomization.yaml')!;
    for (const name of files.keys()) {
      if (name !== 'kustomization.yaml') expect(kustomization).toContain(`- ${name}\n`);
    }
  });
});
