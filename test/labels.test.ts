import { renderEnvironment } from '../lib/render';
import { configFrom, DIGEST_A, DIGEST_B, productionConfig } from './helpers';

/** files that differ between two renderings: changed, added or removed */
function changedFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => a.get(n) !== b.get(n)).sort();
}

describe('the app.kubernetes.io/version label', () => {
  test('an image bump changes only the objects that run the image, and what lists them', () => {
    // GIVEN a production config, and the same with new app and migration images
    const before = productionConfig();
    const after = productionConfig();
    after.app.image = { ...after.app.image, tag: '1.0.1', digest: DIGEST_B };
    after.migration.image = { ...after.migration.image, tag: '1.0.1', digest: DIGEST_A };
    // WHEN both are rendered
    const a = renderEnvironment(configFrom(before)).files;
    const b = renderEnvironment(configFrom(after)).files;
    // THEN the Deployment changes, the Job is replaced (a new name), its folder's list changes,
    // and the environment's README shows the new images
    const changed = changedFiles(a, b).map((f) => f.replace(/migrate-[0-9a-f]{10}/, 'migrate-<hash>'));
    expect(changed).toEqual([
      'README.md',
      'app/deployment-reviewpoint-backend.yaml',
      'migration/job-reviewpoint-backend-migrate-<hash>.yaml',
      'migration/job-reviewpoint-backend-migrate-<hash>.yaml',
      'migration/kustomization.yaml',
    ]);
  });

  test('is on the Deployment, the Job and their pod templates, and in no selector', () => {
    const { objects } = renderEnvironment(configFrom(productionConfig()));
    const version = (labels: Record<string, string> | undefined) => labels?.['app.kubernetes.io/version'];
    const carriers = objects
      .filter((o) => version(o.metadata.labels) !== undefined)
      .map((o) => o.kind)
      .sort();
    expect(carriers).toEqual(['Deployment', 'Job']);
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const spec = o.spec as {
        template: { metadata: { labels: Record<string, string> } };
        selector?: { matchLabels: Record<string, string> };
      };
      expect(version(spec.template.metadata.labels)).toBe('1.0.0');
      expect(version(spec.selector?.matchLabels)).toBeUndefined();
    }
  });
});
