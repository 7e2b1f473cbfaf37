import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTree } from '../io/publish';
import { setImage } from '../io/set-image';
import { setImages } from '../lib/config-edit';
import { parseImageReference } from '../lib/image-reference';
import { main, type Output } from '../main';
import { DIGEST_A, FIXTURE_CONFIG_DIR, PROD_IMAGE_BUMP } from './helpers';

describe('parseImageReference', () => {
  test.each([
    ['ghcr.io/acme/backend', { repository: 'ghcr.io/acme/backend' }],
    ['ghcr.io/acme/backend:1.4.3', { repository: 'ghcr.io/acme/backend', tag: '1.4.3' }],
    [`ghcr.io/acme/backend@${DIGEST_A}`, { repository: 'ghcr.io/acme/backend', digest: DIGEST_A }],
    [`ghcr.io/acme/backend:1.4.3@${DIGEST_A}`, { repository: 'ghcr.io/acme/backend', tag: '1.4.3', digest: DIGEST_A }],
    ['registry.local:5000/backend:2', { repository: 'registry.local:5000/backend', tag: '2' }],
    ['registry.local:5000/backend', { repository: 'registry.local:5000/backend' }],
  ])('reads %s', (ref, image) => {
    expect(parseImageReference(ref)).toEqual(image);
  });

  test.each([
    ['the tag is empty', 'ghcr.io/acme/backend:', /nothing after ":"/],
    ['the digest is empty', 'ghcr.io/acme/backend:1@', /nothing after "@"/],
    ['there is no repository', ':1.0', /no repository/],
    ['it is empty', '', /empty/],
  ])('fails when %s', (_name, ref, message) => {
    expect(() => parseImageReference(ref)).toThrow(message);
    expect(() => parseImageReference(ref)).toThrow(/allowed: repository\[:tag\]\[@sha256:digest\]/);
  });
});

describe('setImages', () => {
  const prod = fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'prod.yaml'), 'utf8');

  test('writes the file back byte for byte when the images are the same', () => {
    const same = new Map([
      [
        'app.image',
        parseImageReference(
          'ghcr.io/reviewpoint/backend:1.4.2@sha256:f10afa2add8d86f914bd9565d1e997539ce05b4a5367d2301e382137a4d25781',
        ),
      ],
    ] as const);
    expect(setImages(prod, same)).toBe(prod);
  });

  test('changes only the lines of the image, keeping comments, blank lines and quoting', () => {
    // GIVEN prod's config WHEN the app image is bumped
    const after = setImages(
      prod,
      new Map([['app.image', { repository: 'ghcr.io/reviewpoint/backend', tag: '1.4.3', digest: DIGEST_A }]]),
    );
    // THEN two lines differ, and the tag keeps its quotes
    const before = prod.split('\n');
    const lines = after.split('\n');
    expect(lines).toHaveLength(before.length);
    expect(lines.filter((l, i) => l !== before[i])).toEqual(['    tag: "1.4.3"', `    digest: ${DIGEST_A}`]);
  });

  test('removes a digest the new reference does not have, so an old digest never pins a new tag', () => {
    const after = setImages(
      prod,
      new Map([['migration.image', { repository: 'ghcr.io/reviewpoint/backend-shell', tag: '1.5.0' }]]),
    );
    expect(after).toContain(
      '    repository: ghcr.io/reviewpoint/backend-shell\n    tag: "1.5.0"\n  activeDeadlineSeconds',
    );
  });

  test('keeps a flow mapping a flow mapping', () => {
    const text = '# images\nmigration:\n  image: { repository: a/b, tag: "1" } # pinned\n';
    expect(setImages(text, new Map([['migration.image', { repository: 'a/b', tag: '2' }]]))).toBe(
      '# images\nmigration:\n  image: { repository: a/b, tag: "2" } # pinned\n',
    );
  });

  test('fails when a parent of the field is not a mapping', () => {
    expect(() => setImages('app: 1\n', new Map([['app.image', { repository: 'a/b', tag: '1' }]]))).toThrow(
      /field app is not a mapping/,
    );
  });
});

describe('npm run set-image', () => {
  let dir: string;
  let configDir: string;
  let outDir: string;
  const lines: string[] = [];
  const out: Output = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
  const run = (...argv: string[]) => setImage([...argv, '--config', configDir, '--out', outDir], out);
  const snapshot = () => ({ config: readTree(path.dirname(configDir)).get('config'), dist: readTree(outDir) });

  beforeEach(() => {
    // a copy of the committed config/ and dist/, so the command runs on the real files
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'set-image-'));
    configDir = path.join(dir, 'config');
    outDir = path.join(dir, 'dist');
    fs.cpSync(FIXTURE_CONFIG_DIR, configDir, { recursive: true });
    expect(main(['--config', configDir, '--out', outDir], {}, { log: () => {}, error: () => {} })).toBe(0);
    lines.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('on prod changes only config/prod.yaml and dist/prod/, keeps every comment, and leaves dist/ up to date', () => {
    // GIVEN the committed tree
    const before = snapshot();
    const prodBefore = before.config!.get('prod.yaml')!;
    // WHEN a pipeline bumps both images of prod
    const code = run(...PROD_IMAGE_BUMP);
    // THEN it succeeds and says what changed
    expect(lines.join('\n')).toMatch(
      /prod\.yaml: app\.image ghcr\.io\/reviewpoint\/backend:1\.4\.2@sha256:f10a\S+ -> ghcr\.io\/reviewpoint\/backend:1\.4\.3@sha256:a{64}/,
    );
    expect(code).toBe(0);
    const after = snapshot();
    // only prod's config changed, and every comment line of it is still there
    for (const [name, text] of before.config!) if (name !== 'prod.yaml') expect(after.config!.get(name)).toBe(text);
    const prodAfter = after.config!.get('prod.yaml')!;
    expect(prodAfter).not.toBe(prodBefore);
    const comments = (t: string) => t.split('\n').filter((l) => l.trim().startsWith('#') || l.includes(' # '));
    expect(comments(prodAfter)).toEqual(comments(prodBefore));
    // only dist/prod changed, and what is there is what the config synthesizes
    expect(after.dist.get('dev')).toEqual(before.dist.get('dev'));
    expect(after.dist.get('staging')).toEqual(before.dist.get('staging'));
    expect(after.dist.get('prod')).not.toEqual(before.dist.get('prod'));
    expect(main(['--check', '--config', configDir, '--out', outDir], {}, out)).toBe(0);
  });

  test.each([
    [
      'the reference is malformed',
      ['--env', 'prod', '--app', 'ghcr.io/reviewpoint/backend:'],
      /environment "prod" \(.*prod\.yaml\), field app\.image, option --app: got "ghcr\.io\/reviewpoint\/backend:": nothing after ":"/,
    ],
    [
      'a production image has no digest',
      ['--env', 'prod', '--app', 'ghcr.io/reviewpoint/backend:1.4.3'],
      /environment "prod" \(.*prod\.yaml\), field app\.image\.digest: missing in a production environment/,
    ],
    [
      'the tag is latest',
      ['--env', 'dev', '--app', 'ghcr.io/reviewpoint/backend:latest'],
      /field app\.image\.tag: got string "latest"/,
    ],
    [
      'the environment has no config file',
      ['--env', 'qa', '--app', 'ghcr.io/reviewpoint/backend:1'],
      /unknown environment "qa": missing environment file .*qa\.yaml; allowed: one of dev, prod, staging/,
    ],
    ['no image is given', ['--env', 'prod'], /no image given/],
    [
      '--env is given twice',
      ['--env', 'prod', '--env', 'dev', '--app', 'ghcr.io/reviewpoint/backend:1.6.0'],
      /^set-image failed: option --env given 2 times \(prod, dev\); it takes one; allowed: --env ENV/,
    ],
  ])('fails when %s, and changes nothing', (_name, argv, message) => {
    const before = snapshot();
    expect(run(...argv)).toBe(1);
    expect(lines.join('\n')).toMatch(message);
    expect(snapshot()).toEqual(before);
  });

  test('fails when the synth fails, and puts the config file back', () => {
    // GIVEN a synth that fails (as main() does: it reports, writes nothing and returns 1)
    const failing = (_argv: readonly string[], _env: NodeJS.ProcessEnv, o: Output = out) => {
      o.error('synth failed: a check failed');
      return 1;
    };
    const before = snapshot();
    // WHEN an image is set THEN the command fails, and the config is as it was
    expect(
      setImage(
        [
          '--env',
          'prod',
          '--app',
          `ghcr.io/reviewpoint/backend:1.4.3@${DIGEST_A}`,
          '--config',
          configDir,
          '--out',
          outDir,
        ],
        out,
        failing,
      ),
    ).toBe(1);
    expect(lines.join('\n')).toMatch(/synth failed: a check failed\nset-image failed: .*prod\.yaml is unchanged/);
    expect(snapshot()).toEqual(before);
  });

  test('fails when a migration image is given for strategy none, and changes nothing', () => {
    // GIVEN an environment that runs no migrations
    const dev = path.join(configDir, 'dev.yaml');
    fs.writeFileSync(dev, fs.readFileSync(dev, 'utf8').replace('strategy: initContainer', 'strategy: none'));
    const before = snapshot();
    // WHEN a migration image is set THEN it is refused
    expect(run('--env', 'dev', '--migration', 'ghcr.io/reviewpoint/backend-shell:2')).toBe(1);
    expect(lines.join('\n')).toMatch(/field migration\.image: migration\.strategy is "none"/);
    expect(snapshot()).toEqual(before);
  });
});
