import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setImage } from '../io/set-image';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { main, type Output } from '../main';
import { committedConfig, CONFIG_DIR, ENVIRONMENTS, PROD_IMAGE_BUMP, ROOT, scratchDir } from './helpers';

const NAMES = [
  'reviewpoint-backend',
  'reviewpoint-backend-migration',
  'default-deny',
  'reviewpoint-backend-ingress',
  'reviewpoint-backend-egress',
  'reviewpoint-backend-to-database',
  'reviewpoint-backend-from-gateway',
  'reviewpoint-backend-from-monitoring',
  'reviewpoint-backend-uploads',
];

/** what main() printed, and its exit code */
function synth(args: string[]): { code: number; text: string } {
  const lines: string[] = [];
  const out: Output = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
  return { code: main(args, {}, out), text: lines.join('\n') };
}

// the committed dist/ is the snapshot: one copy of the output, one check of it (the same as
// `npm run synth:check`); a jest snapshot would be a second copy that set-image does not update
describe('the committed dist/', () => {
  test('is exactly what the committed config synthesizes', () => {
    const result = synth(['--check', '--config', CONFIG_DIR, '--out', path.join(ROOT, 'dist')]);
    expect(result.text).toBe(`${path.join(ROOT, 'dist')} is up to date`);
    expect(result.code).toBe(0);
  });
});

describe("README's release flow", () => {
  test('set-image, then committing config/ and dist/ as README says, leaves nothing else and passes the check', () => {
    // GIVEN a repository holding the committed config/ and dist/
    const dir = scratchDir('rp-release-');
    const git = (...args: string[]) => {
      const run = spawnSync(
        'git',
        ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
        { cwd: dir, encoding: 'utf8' },
      );
      if (run.status !== 0) throw new Error(run.stderr);
      return run.stdout;
    };
    for (const folder of ['config', 'dist'])
      fs.cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    // WHEN the release pipeline bumps prod and commits what README names
    const lines: string[] = [];
    const out: Output = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
    const code = setImage(
      [...PROD_IMAGE_BUMP, '--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')],
      out,
    );
    expect(lines.join('\n')).not.toMatch(/failed/);
    expect(code).toBe(0);
    git('add', 'config/prod.yaml', 'dist/prod');
    git('commit', '-qm', 'prod: backend 1.4.3');
    // THEN the commit holds every change, and the freshness check that npm test runs passes
    expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(git('diff', '--name-only', 'HEAD~1', 'HEAD').split('\n').filter(Boolean)).toEqual(
      expect.arrayContaining(['config/prod.yaml', 'dist/prod/app/deployment-reviewpoint-backend.yaml']),
    );
    expect(synth(['--check', '--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')]).code).toBe(0);
  });
});

describe.each(ENVIRONMENTS)('environment %s', (env) => {
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
