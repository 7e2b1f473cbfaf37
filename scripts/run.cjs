// The one way this repository's code runs: every npm script and the cdk8s CLI's app start here
// (through scripts/run.sh), and so does its validation plugin.
//
//   node scripts/run.cjs synth [--env NAME] [--check] ...   (npm run synth, cdk8s synth)
//   node scripts/run.cjs set-image | diff | config-schema [arguments]
//   node scripts/run.cjs build [--force]                    (npm run build; otherwise when stale)
//   require('./scripts/run.cjs').ReviewpointPolicy          (cdk8s.yaml's validation plugin)
//
// Each command runs its module bundled by esbuild with the packages it uses (build/app/<name>.js:
// no module resolution at start-up), all of them made by one build, which runs first when a file
// it was built from has changed: the build records the digest of every file as esbuild read it,
// and every run compares them with the files on disk, so it never runs code older than the
// sources. Files under node_modules stand in the record as npm's list of what it installed
// (node_modules/.package-lock.json), which every install rewrites. The bundles are not minified
// and have source maps: a stack names the .ts file and line. The maps are read only when a stack
// is printed (Node's own source-map support parses them at every start: 7% of a synth). Node.js
// 22.1 and later keep their own compile cache of the bundles (module.enableCompileCache());
// Node.js 20 compiles them every run.
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const nodeModule = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const out = { log: (line) => console.log(line), error: (line) => console.error(line) };
/** command -> the module bundled for it, and how it is called; each returns the exit code */
const COMMANDS = {
  synth: ['main.ts', (m, argv, env) => m.main(argv, env, out)],
  'set-image': ['io/set-image.ts', (m, argv) => m.setImage(argv, out)],
  diff: ['io/diff.ts', (m, argv) => m.runDiff(argv, out)],
  'config-schema': ['scripts/config-schema.ts', (m, argv) => m.configSchema(argv, out)],
};
const PLUGIN = ['validation-plugin', 'io/validation-plugin.ts'];
const BUILD = path.join(ROOT, 'build', 'app');
const RECORD = 'inputs.json';
/** what shapes the bundle besides the files bundled: these options, the TypeScript settings, the lock file */
const BUILD_FILES = ['scripts/run.cjs', 'tsconfig.json', 'package-lock.json'];
const INSTALLED = 'node_modules/.package-lock.json';
// build-time only: scripts/import-schema.mjs reads them; a megabyte that every run would load
const BUILD_TIME_ONLY = /node_modules\/(?:kubernetes-models|@kubernetes-models\/|ajv)/;

const digest = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

function digestFile(file) {
  try {
    return digest(fs.readFileSync(path.join(ROOT, file)));
  } catch {
    return undefined;
  }
}

/** why build/app is not what the sources say, or undefined when it is */
function staleReason() {
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(path.join(BUILD, RECORD), 'utf8')).inputs;
  } catch {
    return 'no build yet';
  }
  for (const [file, recorded] of Object.entries(inputs)) {
    const now = digestFile(file);
    if (now !== recorded) return `${file} ${now === undefined ? 'is gone' : 'changed'} since the last build`;
  }
  return undefined;
}

/**
 * Bundle every command's module and the plugin into a new folder, then swap it in for build/app:
 * a run that reads build/app sees one whole build, and two builds at once leave one of them.
 */
async function build() {
  const tmp = `${BUILD}.${process.pid}.tmp`;
  try {
    await bundle(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${BUILD}.${process.pid}.old`;
  try {
    fs.renameSync(BUILD, old);
  } catch {
    // no build yet, or another build is swapping its own in
  }
  try {
    fs.renameSync(tmp, BUILD);
  } catch (e) {
    // another build swapped its own in meanwhile: fine when it is what the sources say
    fs.rmSync(tmp, { recursive: true, force: true });
    if (staleReason()) throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/** the bundles, and the record of the bytes they were built from, into folder `dir` */
async function bundle(dir) {
  const inputs = {};
  for (const file of [...BUILD_FILES, INSTALLED]) {
    const d = digestFile(file);
    if (d !== undefined) inputs[file] = d;
  }
  const recorded = (file) => !(INSTALLED in inputs && file.split('/').includes('node_modules'));
  // the digest of the very bytes esbuild was given: an edit saved during the build differs
  const recordInputs = {
    name: 'record-inputs',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$|\.json$/ }, (args) => {
        const contents = fs.readFileSync(args.path);
        const file = path.relative(ROOT, args.path).split(path.sep).join('/');
        if (recorded(file)) inputs[file] = digest(contents);
        const ext = path.extname(file);
        return { contents, loader: ext === '.json' ? 'json' : ext.endsWith('ts') ? 'ts' : 'js' };
      });
    },
  };
  // cdk8s ships its own copy of yaml (a bundled dependency); when it is the very version the
  // project uses, the bundle takes one copy, not two (a sixth of the bundle less to load)
  const yamlVersion = (folder) => JSON.parse(fs.readFileSync(path.join(ROOT, folder, 'package.json'), 'utf8')).version;
  const oneYaml = {
    name: 'one-yaml',
    setup(b) {
      const nested = 'node_modules/cdk8s/node_modules/yaml';
      if (!fs.existsSync(path.join(ROOT, nested)) || yamlVersion(nested) !== yamlVersion('node_modules/yaml')) return;
      const cdk8s = path.join(ROOT, 'node_modules', 'cdk8s') + path.sep;
      b.onResolve({ filter: /^yaml$/ }, (args) =>
        args.importer.startsWith(cdk8s) ? b.resolve('yaml', { kind: args.kind, resolveDir: ROOT }) : undefined,
      );
    },
  };
  const result = await require('esbuild').build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries([...Object.entries(COMMANDS).map(([name, [file]]) => [name, file]), PLUGIN]),
    outdir: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    // a stack needs the file and line; Node.js reads the line's text from the file itself
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [oneYaml, recordInputs],
  });
  const bundled = Object.keys(result.metafile.inputs);
  const buildTimeOnly = bundled.filter((f) => BUILD_TIME_ONLY.test(f));
  if (buildTimeOnly.length > 0) throw new Error(`build-time dependencies were bundled: ${buildTimeOnly.join(', ')}`);
  // a file read past the plugin (another loader) would be one the record cannot see change
  const unrecorded = bundled.filter((f) => recorded(f) && !(f in inputs));
  if (unrecorded.length > 0) throw new Error(`bundled without a recorded digest: ${unrecorded.join(', ')}`);
  fs.writeFileSync(path.join(dir, RECORD), `${JSON.stringify({ inputs }, null, 1)}\n`);
}

/** a bundle's exports, all built first when stale (in a child process: esbuild's plugins are async) */
function load(name) {
  if (staleReason()) {
    try {
      execFileSync(process.execPath, [__filename, 'build'], { stdio: 'inherit' });
    } catch {
      // esbuild has printed what it could not build; an old bundle must not run in its place
      process.stderr.write('the build failed: nothing was run, nothing was written\n');
      process.exit(1);
    }
  }
  nodeModule.enableCompileCache?.(path.join(ROOT, 'build', 'compile-cache'));
  return require(path.join(BUILD, `${name}.js`));
}

/** a stack with each frame in a bundle put back at its source file, line and column */
function sourceStack(stack) {
  const maps = new Map();
  const mapOf = (file) => {
    if (!maps.has(file)) {
      let map = null;
      try {
        map = new nodeModule.SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
      } catch {
        // no map (or not one Node reads): the frame stays as it is
      }
      maps.set(file, map);
    }
    return maps.get(file);
  };
  return stack.replace(/(?<=\(|at )(\/[^():]*\.js):(\d+):(\d+)/g, (frame, file, line, column) => {
    if (path.dirname(file) !== BUILD) return frame;
    const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry?.originalSource) return frame;
    const source = entry.originalSource.startsWith('file://')
      ? require('node:url').fileURLToPath(entry.originalSource)
      : path.resolve(BUILD, entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

if (require.main !== module) {
  // loaded as a module (the cdk8s CLI's validation plugin): the bundle's exports; the CLI prints
  // what they throw, so Node maps their stacks
  process.setSourceMapsEnabled(true);
  module.exports = load(PLUGIN[0]);
} else {
  const [command, ...argv] = process.argv.slice(2);
  if (command === 'build') {
    // when stale (another run may have built it meanwhile), or always with --force
    const stale = argv.includes('--force') ? 'forced' : staleReason();
    if (stale) {
      process.stderr.write(`building ${path.relative(ROOT, BUILD)}: ${stale}\n`);
      build().catch((e) => {
        // esbuild has printed its errors; anything else is printed here
        if (!(e && Array.isArray(e.errors))) process.stderr.write(`${e.stack}\n`);
        process.exitCode = 1;
      });
    }
  } else if (!Object.hasOwn(COMMANDS, command)) {
    const allowed = [...Object.keys(COMMANDS), 'build'].join(', ');
    process.stderr.write(`unknown command ${JSON.stringify(command)}; allowed: ${allowed}\n`);
    process.exitCode = 1;
  } else {
    // an unexpected error (a bug: config errors are the commands' own messages) ends the run
    // with its stack, in .ts files and lines
    process.on('uncaughtException', (e) => {
      process.stderr.write(`${e instanceof Error && e.stack ? sourceStack(e.stack) : String(e)}\n`);
      process.exit(1);
    });
    process.exitCode = COMMANDS[command][1](load(command), argv, process.env);
  }
}
