import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { readTree } from '../io/publish';
import { kustomize } from '../lib/delivery/model';
import { readYamlDocuments } from '../lib/yaml';
import { ROOT } from './helpers';

// the delivery model reads kustomizations itself; this checks that it reads them as kustomize
// does, folder by folder: the one oracle outside the project's own model. Without kubectl it is
// skipped on a workstation, and fails in CI (CI=true), where a silent skip would hide it.
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const ci = process.env.CI === 'true';
const dist = path.join(ROOT, 'dist');
const folders = [...readTree(dist)].flatMap(([env, files]) =>
  [...files.keys()]
    .filter((f) => f === 'kustomization.yaml' || f.endsWith('/kustomization.yaml'))
    .map((f) => ({ env, files, folder: path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f) })),
);
const byKey = (o: any) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const sorted = (list: any[]) => [...list].sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1));

(kubectl || ci ? describe : describe.skip)('the delivery model reads kustomizations as kubectl kustomize does', () => {
  beforeAll(() => {
    if (!kubectl) throw new Error('kubectl not found on PATH, and CI=true: CI must run this oracle; install kubectl');
  });

  test.each(folders.map((f) => [[f.env, f.folder].filter(Boolean).join('/'), f] as const))(
    'dist/%s',
    (_name, { env, files, folder }) => {
      const result = spawnSync('kubectl', ['kustomize', path.join(dist, env, folder)], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      const rendered = readYamlDocuments(result.stdout).filter((d) => d !== null);
      expect(sorted(kustomize(files, folder))).toEqual(sorted(rendered));
    },
  );
});
