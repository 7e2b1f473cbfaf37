/**
 * Publishing that cannot lose or delete: the output folder it replaces, what a killed run leaves
 * and the next one repairs, the truth of every failure message, and runs at the same time.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../io/cli';
import { lockFileOf, withOutputLock } from '../io/output-lock';
import { readTree, type FaultHook } from '../io/publish';
import { main, synthesize, type Output } from '../main';
import { FIXTURE_CONFIG_DIR, minimalConfig, ROOT, scratchDir } from './helpers';

// the child-process cases start real synths: a build takes seconds on a busy machine
jest.setTimeout(120_000);

/** a scratch project: config/ with two environments, and where dist/ goes */
function project(): { dir: string; config: string; out: string } {
  const dir = scratchDir('rp-publish-');
  const config = path.join(dir, 'config');
  fs.mkdirSync(config);
  fs.writeFileSync(path.join(config, 'alpha.yaml'), stringify(minimalConfig()));
  fs.writeFileSync(path.join(config, 'beta.yaml'), stringify({ ...minimalConfig(), namespace: 'rp-beta' }));
  return { dir, config, out: path.join(dir, 'dist') };
}

function run(args: string[], fault?: FaultHook): { code: number; stdout: string; stderr: string } {
  const logs: string[] = [];
  const errors: string[] = [];
  const out: Output = { log: (l) => logs.push(l), error: (l) => errors.push(l) };
  const code = runCli(synthesize, args, {}, out, fault);
  return { code, stdout: logs.join('\n'), stderr: errors.join('\n') };
}

/** every file below a folder with its bytes, the folder's own entries included */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, name);
    files[name] = fs.lstatSync(p).isDirectory() ? '(folder)' : fs.readFileSync(p, 'utf8');
  }
  return files;
}

/** set an environment's log level (of alpha or beta of project()), so a synth of it changes its output */
function setLogLevel(config: string, env: 'alpha' | 'beta', level: string): void {
  const data = minimalConfig();
  if (env === 'beta') data.namespace = 'rp-beta';
  data.settings.logLevel = level;
  fs.writeFileSync(path.join(config, `${env}.yaml`), stringify(data));
}

describe('--out', () => {
  const refused =
    /the synth did not write .*, and publishing replaces the output folder whole; allowed: an empty or missing folder, or one the synth wrote/;

  test.each([
    [
      'a .git folder',
      (dir: string) => {
        fs.mkdirSync(path.join(dir, '.git', 'objects'), { recursive: true });
        fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
        return path.join(dir, '.git');
      },
      /option --out .*\.git: the synth did not write .*\.git\/HEAD, .*\.git\/objects/,
    ],
    [
      'the repository root',
      (dir: string) => {
        fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
        fs.writeFileSync(path.join(dir, 'README.md'), '# project\n');
        return dir;
      },
      /option --out .*: it holds the config folder .*config, and publishing replaces the output folder whole; allowed: a folder of its own, such as dist/,
    ],
    ['the config folder', (dir: string) => path.join(dir, 'config'), /option --out .*config: it is the config folder/],
    [
      'a folder inside the config folder',
      (dir: string) => path.join(dir, 'config', 'out'),
      /option --out .*config\/out: it is inside the config folder .*; allowed: a folder outside it/,
    ],
    [
      'a folder with a file the synth did not write',
      (dir: string) => {
        fs.mkdirSync(path.join(dir, 'docs'));
        fs.writeFileSync(path.join(dir, 'docs', 'notes.txt'), 'mine\n');
        return path.join(dir, 'docs');
      },
      /option --out .*docs: the synth did not write .*docs\/notes\.txt/,
    ],
    [
      'a folder of folders without the generated kustomization.yaml',
      (dir: string) => {
        fs.mkdirSync(path.join(dir, 'manifests', 'alpha'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'manifests', 'alpha', 'kustomization.yaml'), 'resources: []\n');
        return path.join(dir, 'manifests');
      },
      /option --out .*manifests: the synth did not write .*manifests\/alpha/,
    ],
  ])('fails when it names %s, and deletes nothing', (_what, make, message) => {
    // GIVEN a project and a folder that is not a previous output
    const { dir, config } = project();
    const target = make(dir);
    const before = snapshot(dir);
    // WHEN the synth is told to publish there
    const result = run(['--config', config, '--out', target]);
    // THEN it refuses, and every file is still there
    expect(result.stderr).toMatch(message);
    if (!/config folder/.test(String(message))) expect(result.stderr).toMatch(refused);
    expect(result.stderr).toMatch(/nothing was written: the previous output is untouched/);
    expect(result.code).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });

  test('takes an empty folder, a missing one, and its own previous output', () => {
    const { dir, config } = project();
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(run(['--config', config, '--out', path.join(dir, 'empty')]).code).toBe(0);
    expect(run(['--config', config, '--out', path.join(dir, 'missing', 'dist')]).code).toBe(0);
    expect(run(['--config', config, '--out', path.join(dir, 'empty')]).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'empty')).sort()).toEqual(['alpha', 'beta']);
  });
});

describe('a run killed half-way', () => {
  /** the project folder as a kill at the given step of the swap leaves it */
  function killedAt(step: 'swap' | 'remove-old'): { config: string; out: string; published: Record<string, string> } {
    const { dir, config, out } = project();
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    const published = snapshot(out);
    setLogLevel(config, 'alpha', 'WARNING');
    const crashed = scratchDir('rp-crashed-');
    // the fault hook copies the disk as it is at that step: what SIGKILL there would leave
    const copy: FaultHook = (at) => {
      if (at === step) fs.cpSync(dir, crashed, { recursive: true });
    };
    expect(run(['--config', config, '--out', out], copy).code).toBe(0);
    return { config: path.join(crashed, 'config'), out: path.join(crashed, 'dist'), published };
  }

  test('between the two renames: the next run restores dist/ from the previous output, says so, and removes the rest', () => {
    // GIVEN the state of a run killed between its two renames: no dist/, and both trees beside it
    const { config, out, published } = killedAt('swap');
    const parent = path.dirname(out);
    expect(fs.existsSync(out)).toBe(false);
    expect(
      fs
        .readdirSync(parent)
        .filter((n) => n.startsWith('.dist.'))
        .map((n) => n.replace(/-.*/, '')),
    ).toEqual(expect.arrayContaining(['.dist.new', '.dist.old']));
    // WHEN a --env run of the other environment comes next
    const result = run(['--env', 'beta', '--config', config, '--out', out]);
    // THEN it puts the previous output back first, so beta's run keeps alpha as it was published
    expect(result.stderr).toMatch(
      /dist was missing after an interrupted run: restored the previous output from .*\.dist\.old-/,
    );
    expect(result.stderr).toMatch(/deleted .*\.dist\.new-\S+, left by an interrupted run/);
    expect(result.code).toBe(0);
    expect(fs.readdirSync(parent).sort()).toEqual(['config', 'dist']);
    const alpha = Object.fromEntries(Object.entries(published).filter(([name]) => name.startsWith('alpha')));
    expect(snapshot(out)).toMatchObject(alpha);
  });

  test('the same state made by hand: no dist/, a previous tree beside it, and a half-written staging tree', () => {
    // GIVEN a published tree moved aside, as the first rename does, and a staging tree cut short
    const { dir, config, out } = project();
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    const published = snapshot(out);
    fs.renameSync(out, path.join(dir, '.dist.old-Xk3a9Q'));
    fs.mkdirSync(path.join(dir, '.dist.new-Xk3a9Q', 'alpha'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.dist.new-Xk3a9Q', 'alpha', 'README.md'), '# cut sh');
    // WHEN a --check run comes, it reports dist/ missing and changes nothing
    expect(run(['--check', '--config', config, '--out', out]).code).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
    // WHEN a run comes THEN dist/ is back and the leftovers are gone
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    expect(snapshot(out)).toEqual(published);
    expect(fs.readdirSync(dir).sort()).toEqual(['config', 'dist']);
  });

  test('fails when the config is broken after it repaired, and says only the repair was written', () => {
    // GIVEN a killed run's state and a config that no longer loads
    const { config, out, published } = killedAt('swap');
    fs.writeFileSync(path.join(config, 'alpha.yaml'), 'namespace: [\n');
    // WHEN the next run comes
    const result = run(['--config', config, '--out', out]);
    // THEN dist/ is back as published, and the message says that and nothing else happened
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/restored the previous output[\s\S]*synth failed: .*YAML syntax error/);
    expect(result.stderr).toMatch(
      /nothing was written but the repair above: the previous output is as the interrupted run found it$/,
    );
    expect(snapshot(out)).toEqual(published);
  });

  test('after the swap: the next run deletes the previous tree left beside dist/', () => {
    const { config, out } = killedAt('remove-old');
    const result = run(['--config', config, '--out', out]);
    expect(result.stderr).toMatch(/deleted .*\.dist\.old-\S+, left by an interrupted run/);
    expect(result.stderr).not.toMatch(/restored/);
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['config', 'dist']);
    expect(run(['--check', '--config', config, '--out', out]).code).toBe(0);
  });

  test("leaves nothing that git or prettier would see: its leftovers' names are ignored by both", () => {
    // GIVEN the names a killed run leaves beside dist/, as the swap and the lock make them
    const { out } = killedAt('swap');
    const parent = path.dirname(out);
    const yaml = fs
      .readdirSync(parent, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.startsWith('.dist.') && name.endsWith('/kustomization.yaml'));
    const trees = new Set(yaml.map((name) => name.replace(/-.*/, '')));
    expect(trees).toEqual(new Set(['.dist.new', '.dist.old']));
    const lock = path.basename(lockFileOf(out));
    const names = [
      ...[...trees].map((tree) => yaml.find((name) => name.startsWith(tree))!),
      lock,
      `${lock}.stale-4242`,
    ];
    // THEN the repository's ignore files cover each of them at its root
    const git = spawnSync('git', ['check-ignore', '--no-index', ...names], { cwd: ROOT, encoding: 'utf8' });
    expect(git.stdout.trim().split('\n')).toEqual(names);
    for (const name of names) {
      const prettier = spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--file-info', name],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect({ name, ...JSON.parse(prettier.stdout) }).toMatchObject({ name, ignored: true });
    }
  });

  test('leaves the leftovers of another output folder alone', () => {
    const { dir, config, out } = project();
    fs.mkdirSync(path.join(dir, '.out.old-abc123'));
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['.out.old-abc123', 'config', 'dist']);
  });
});

describe('every failure says what is on disk', () => {
  test('fails when the new tree cannot be moved in, and says the previous output is untouched, which it is', () => {
    const { config, out } = project();
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    const before = snapshot(out);
    setLogLevel(config, 'alpha', 'WARNING');
    const result = run(['--config', config, '--out', out], (step) => {
      if (step === 'swap') throw new Error('EIO: i/o error, rename');
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'synth failed: EIO: i/o error, rename\nnothing was written: the previous output is untouched',
    );
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['config', 'dist']);
  });

  test('succeeds when the previous tree cannot be deleted after the swap, and says dist/ is the new output', () => {
    // GIVEN a published tree and a changed config
    const { config, out } = project();
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    setLogLevel(config, 'alpha', 'WARNING');
    // WHEN deleting the previous tree fails after the new one is in place
    const result = run(['--config', config, '--out', out], (step) => {
      if (step === 'remove-old') throw new Error('EACCES: permission denied, rmdir');
    });
    // THEN the run did publish, says so, and never says the previous output is untouched
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /dist holds the new output, but the previous one could not be deleted from .*\.dist\.old-\S+: EACCES: permission denied, rmdir; the next run deletes it/,
    );
    expect(result.stderr).not.toMatch(/untouched/);
    expect(run(['--check', '--config', config, '--out', out]).code).toBe(0);
  });

  test("fails when the cdk8s CLI's copy cannot be written, and says dist/ holds the new output", () => {
    // GIVEN a CLI output folder that cannot be made (its parent is a file)
    const { dir, config, out } = project();
    fs.writeFileSync(path.join(dir, 'cdk8s.out'), 'a file\n');
    const cliOut = path.join(dir, 'cdk8s.out', 'sub');
    const lines: string[] = [];
    const output: Output = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
    // WHEN the synth runs under the CLI
    const code = runCli(synthesize, ['--config', config, '--out', out], { CDK8S_OUTDIR: cliOut }, output);
    // THEN it fails, and says what is true: dist/ was published
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(
      /synth failed: could not write the copy for the cdk8s CLI to .*cdk8s\.out\/sub: ENOTDIR/,
    );
    expect(lines.join('\n')).toMatch(/dist holds the new output; .*cdk8s\.out\/sub may be incomplete/);
    expect(lines.join('\n')).not.toMatch(/untouched/);
    expect(run(['--check', '--config', config, '--out', out]).code).toBe(0);
  });

  test('fails when neither the new tree nor the previous one can be moved back, and says where the previous one is', () => {
    // GIVEN a published tree, and something taking dist/'s place between the two renames
    const { dir, config, out } = project();
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    const published = snapshot(out);
    setLogLevel(config, 'alpha', 'WARNING');
    const result = run(['--config', config, '--out', out], (step) => {
      if (step !== 'swap') return;
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, 'intruder.txt'), 'x\n');
    });
    // THEN the message says where the previous output is, not that it is untouched
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /synth failed: could not move the new output to .*dist: .*; nor the previous one back: /,
    );
    expect(result.stderr).toMatch(
      /the previous output is in .*\.dist\.old-\S+: the next run puts it back once .*dist is gone or empty/,
    );
    expect(result.stderr).not.toMatch(/untouched/);
    // AND the next run refuses the folder it did not write, keeping the previous output aside
    const old = fs.readdirSync(dir).find((n) => n.startsWith('.dist.old-'))!;
    expect(run(['--config', config, '--out', out]).stderr).toMatch(/the synth did not write .*intruder\.txt/);
    expect(snapshot(path.join(dir, old))).toEqual(published);
    // AND once it is gone, the next run restores and publishes
    fs.rmSync(out, { recursive: true });
    expect(run(['--config', config, '--out', out]).stderr).toMatch(/restored the previous output/);
    expect(fs.readdirSync(dir).sort()).toEqual(['config', 'dist']);
  });
});

describe('the output lock', () => {
  /** a process that has exited: its pid names no process (until the system reuses it) */
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

  test('is taken over from a run that was killed', () => {
    // GIVEN a lock left by a process that is gone
    const { config, out } = project();
    fs.writeFileSync(lockFileOf(out), `${deadPid()}\n`);
    // WHEN a synth runs THEN it publishes, and leaves no lock behind
    expect(run(['--config', config, '--out', out]).code).toBe(0);
    expect(fs.existsSync(lockFileOf(out))).toBe(false);
  });

  test('fails when a live run holds it for too long, naming the lock and the process', () => {
    const { out } = project();
    fs.writeFileSync(lockFileOf(out), `${process.ppid}\n`);
    expect(() => withOutputLock(out, () => 'ran', { waitMs: 200 })).toThrow(
      new RegExp(
        `\\.dist\\.lock: another synth or set-image on this output \\(process ${process.ppid}\\) has held it for more than 0 s; allowed: wait for it to finish, or delete .*\\.dist\\.lock if no such run is going on`,
      ),
    );
    expect(fs.readFileSync(lockFileOf(out), 'utf8')).toBe(`${process.ppid}\n`);
  });

  test('is held once per process however deeply taken, and freed at the end', () => {
    const { out } = project();
    expect(withOutputLock(out, () => withOutputLock(out, () => fs.existsSync(lockFileOf(out))))).toBe(true);
    expect(fs.existsSync(lockFileOf(out))).toBe(false);
  });
});

describe('runs at the same time', () => {
  /** a child process, and its exit code and output once it ends */
  const child = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const p = spawn(process.execPath, args, { cwd: ROOT, env });
      let output = '';
      p.stdout.on('data', (d) => (output += d));
      p.stderr.on('data', (d) => (output += d));
      p.on('close', (code) => resolve({ code, output }));
    });
  const quiet: Output = { log: () => {}, error: () => {} };
  const runner = path.join(ROOT, 'scripts', 'run.cjs');

  beforeAll(() => {
    // the commands' bundles, built once here so the children below do not race to build them
    expect(spawnSync(process.execPath, [runner, 'build'], { cwd: ROOT }).status).toBe(0);
  });

  test('two --env synths both land, round after round', async () => {
    const { config, out } = project();
    expect(main(['--config', config, '--out', out], {}, quiet)).toBe(0);
    for (const level of ['WARNING', 'ERROR', 'CRITICAL', 'INFO']) {
      // GIVEN both environments changed WHEN each is synthesized at the same time
      setLogLevel(config, 'alpha', level);
      setLogLevel(config, 'beta', level);
      const synth = (env: string) => child([runner, 'synth', '--env', env, '--config', config, '--out', out]);
      const results = await Promise.all([synth('alpha'), synth('beta')]);
      // THEN both succeed and dist/ holds both new environments
      for (const r of results) expect(r).toMatchObject({ code: 0 });
      expect(main(['--check', '--config', config, '--out', out], {}, quiet)).toBe(0);
    }
  });

  test('a second synth waits for the run that holds the lock, then publishes', async () => {
    // GIVEN a live process holding the output's lock for most of a second
    const { config, out } = project();
    const lock = lockFileOf(out);
    const holder = spawn(process.execPath, [
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(lock)}, process.pid + '\\n', { flag: 'wx' }); setTimeout(() => require('fs').rmSync(${JSON.stringify(lock)}), 800)`,
    ]);
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    while (!fs.existsSync(lock)) await new Promise((r) => setTimeout(r, 20));
    // WHEN a synth starts
    const started = Date.now();
    const result = await child([runner, 'synth', '--config', config, '--out', out]);
    const took = Date.now() - started;
    await exited;
    // THEN it says whom it waits for, and publishes only once the lock was freed
    expect(result.output).toMatch(new RegExp(`waiting for process ${holder.pid}, which holds .*\\.dist\\.lock`));
    expect(result).toMatchObject({ code: 0 });
    expect(took).toBeGreaterThanOrEqual(500);
    expect(readTree(out).size).toBe(2);
  });

  test('two set-image runs on different environments both land', async () => {
    // GIVEN the fixture config and its output
    const dir = scratchDir('rp-set-image-both-');
    const config = path.join(dir, 'config');
    const out = path.join(dir, 'dist');
    fs.cpSync(FIXTURE_CONFIG_DIR, config, { recursive: true });
    expect(main(['--config', config, '--out', out], {}, quiet)).toBe(0);
    // WHEN dev and staging get new images at the same time
    const digest = `sha256:${'c'.repeat(64)}`;
    const bump = (name: string) =>
      child([
        runner,
        'set-image',
        '--env',
        name,
        '--app',
        `ghcr.io/reviewpoint/backend:1.6.0@${digest}`,
        '--config',
        config,
        '--out',
        out,
      ]);
    const results = await Promise.all([bump('dev'), bump('staging')]);
    // THEN both succeed, both config files changed, and dist/ is what both synthesize
    for (const r of results) expect(r).toMatchObject({ code: 0 });
    for (const name of ['dev', 'staging'])
      expect(fs.readFileSync(path.join(config, `${name}.yaml`), 'utf8')).toContain('tag: "1.6.0"');
    expect(main(['--check', '--config', config, '--out', out], {}, quiet)).toBe(0);
  });
});
