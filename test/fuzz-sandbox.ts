/**
 * The command line as users run it (main() in process: main.ts's synthesize, io/cli.ts's
 * publishing) in a scratch copy of config/ and dist/, one environment's config replaced at a
 * time; and what every run must keep, whatever the config says: a failure is a config error
 * naming environment, file and field, and leaves the output byte-identical; a success writes
 * exactly what it checked, and what it wrote reads back as those objects and passes the gate
 * again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { baseFile, configFile } from '../io/config-files';
import type { EnvironmentConfig } from '../lib/config';
import type { KubeObject, RenderedEnvironment } from '../lib/render';
import { filePath } from '../lib/render';
import { verifyDelivery, verifyManifests } from '../lib/verify';
import { main, synthesize } from '../main';
import { CONFIG_DIR, ROOT } from './helpers';

/** every file below a folder, dotfiles included: `/`-separated path -> content */
type Files = Map<string, string>;

function filesBelow(dir: string, prefix = '', files: Files = new Map()): Files {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = prefix + entry.name;
    if (entry.isDirectory()) filesBelow(path.join(dir, entry.name), `${name}/`, files);
    else files.set(name, fs.readFileSync(path.join(dir, entry.name), 'utf8'));
  }
  return files;
}

/** the files of one environment's folder, by their path below it */
function environmentFiles(files: Files, env: string): Files {
  const prefix = `${env}/`;
  return new Map(
    [...files]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, content]) => [name.slice(prefix.length), content]),
  );
}

/** a bound per case: the synth of one environment takes well under a tenth of it */
export const CASE_MS = 3000;
/** the last line of a failed run: it says so */
const NOTHING_WRITTEN = /^nothing was written/;

export interface Outcome {
  readonly env: string;
  /** the config file as the run read it */
  readonly file: string;
  /** the base file as the run read it (when there is one) */
  readonly base: string;
  readonly code: number;
  /** everything the run reported, a line each */
  readonly lines: readonly string[];
  readonly ms: number;
  /** the output folder's files before the run and after it */
  readonly before: Files;
  readonly after: Files;
  /** what else the run left next to the output folder */
  readonly leftovers: readonly string[];
  /** after a success: what the run checked and published */
  readonly checked?: { readonly config: EnvironmentConfig; readonly rendered: RenderedEnvironment };
}

/**
 * Where sandboxes go: in memory where the system has such a folder (Linux), since a few hundred
 * publishes wait on the disk elsewhere (a third of the file's time on a busy machine); removed
 * when the test file is done.
 */
const MEMORY_TMP = '/dev/shm';
const sandboxes: string[] = [];
afterAll(() => {
  for (const dir of sandboxes.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function sandboxDir(): string {
  let parent = os.tmpdir();
  try {
    fs.accessSync(MEMORY_TMP, fs.constants.W_OK);
    parent = MEMORY_TMP;
  } catch {
    // no memory-backed folder: the system's temp folder
  }
  const dir = fs.mkdtempSync(path.join(parent, 'rp-fuzz-'));
  sandboxes.push(dir);
  return dir;
}

/** a scratch project: the committed config/ and dist/, run with --config and --out */
export class Sandbox {
  readonly configDir: string;
  readonly outDir: string;
  private readonly dir: string;
  private files: Files;

  constructor() {
    this.dir = sandboxDir();
    this.configDir = path.join(this.dir, 'config');
    this.outDir = path.join(this.dir, 'dist');
    fs.cpSync(CONFIG_DIR, this.configDir, { recursive: true });
    fs.cpSync(path.join(ROOT, 'dist'), this.outDir, { recursive: true });
    this.files = filesBelow(this.outDir);
  }

  /**
   * synthesize one environment from this config text, as `npm run synth -- --env <env>` does;
   * with `base`, the base file's text is replaced instead of the environment's
   */
  run(env: string, text: string, target: 'env' | 'base' = 'env'): Outcome {
    const file = configFile(this.configDir, env);
    const replaced = target === 'base' ? baseFile(this.configDir) : file;
    const committed = fs.readFileSync(replaced, 'utf8');
    fs.writeFileSync(replaced, text);
    const lines: string[] = [];
    const report = (line: string) => lines.push(...line.split('\n'));
    const before = this.files;
    const start = performance.now();
    let code: number;
    let ms: number;
    let checked: Outcome['checked'];
    try {
      code = main(['--env', env, '--config', this.configDir, '--out', this.outDir], {}, { log: report, error: report });
      ms = performance.now() - start;
      if (code === 0) {
        // what that run checked and published, again: the synth is deterministic
        const again = synthesize({ environments: [env], configDir: this.configDir });
        checked = { config: again.configs[0], rendered: again.rendered[0] };
      }
    } finally {
      fs.writeFileSync(replaced, committed);
    }
    // a success changes this environment's folder: the next run starts from it
    this.files = filesBelow(this.outDir);
    const leftovers = fs.readdirSync(this.dir).filter((f) => f !== 'config' && f !== 'dist');
    return {
      env,
      file,
      base: baseFile(this.configDir),
      code,
      lines,
      ms,
      before,
      after: this.files,
      leftovers,
      checked,
    };
  }
}

/**
 * The documented form of every line of a failed run but its last: a config error each, naming
 * the environment's file, the base file, or both (a mapping both set)
 */
function configErrorLines(o: Outcome): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const files = `(?:${escape(o.file)}|${escape(o.base)}|${escape(o.base)} and ${escape(o.file)})`;
  return new RegExp(`^(synth failed: )?config error in environment "${escape(o.env)}" \\(${files}\\), field .+: .+$`);
}

/**
 * What every run keeps. Throws (a jest expectation) naming what broke.
 */
export function expectSound(o: Outcome, reads: ReadBack): void {
  // no hang
  expect(o.ms).toBeLessThan(CASE_MS);
  expect(o.leftovers).toEqual([]);
  if (o.code !== 0) {
    // no stack trace, no TypeError: a config error a person can act on
    expect(o.code).toBe(1);
    expect(o.lines[o.lines.length - 1]).toMatch(NOTHING_WRITTEN);
    const form = configErrorLines(o);
    for (const line of o.lines.slice(0, -1)) if (!form.test(line)) expect(line).toMatch(form);
    // and nothing changed on disk
    if (!sameFiles(o.after, o.before)) expect(o.after).toEqual(o.before);
    return;
  }
  expect(o.checked).toBeDefined();
  const { config, rendered } = o.checked!;
  // the other environments' output is kept as it was
  const others = (files: Files) =>
    new Map([...files].filter(([name]) => !name.startsWith(`${o.env}/`) && name.includes('/')));
  if (!sameFiles(others(o.after), others(o.before))) expect(others(o.after)).toEqual(others(o.before));
  // this one's is exactly what was rendered and checked
  const written = environmentFiles(o.after, o.env);
  if (!sameFiles(written, rendered.files)) expect(written).toEqual(rendered.files);
  // every object reads back from its file as exactly the object that was checked, in YAML 1.2
  // and in YAML 1.1 (what go-yaml based engines resolve)
  const readBack = (objects: readonly KubeObject[]) =>
    objects.map((obj) => {
      const [v12, v11] = reads.parse(written.get(filePath(obj))!);
      expect(v12).toEqual(obj);
      expect(v11).toEqual(obj);
      return v12 as KubeObject;
    });
  const objects = readBack(rendered.objects);
  const delivery = readBack(rendered.delivery);
  // and what is on disk passes the full gate again, its files parsed afresh
  verifyManifests(objects, { environment: config.name, production: config.production });
  verifyDelivery(config, { ...rendered, objects, delivery, files: written });
}

/** the same names with the same contents (a fast path: expect's own comparison shows the difference) */
function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, content]) => b.get(name) === content);
}

/** YAML 1.2 and 1.1 readings of a file, each distinct text parsed once: most files do not change */
export class ReadBack {
  private readonly seen = new Map<string, [unknown, unknown]>();

  parse(text: string): [unknown, unknown] {
    let both = this.seen.get(text);
    if (!both) this.seen.set(text, (both = [parse(text), parse(text, { version: '1.1' })]));
    return both;
  }
}
