// Benchmark: `npm run bench [-- --runs N] [--no-ci] [--app-template DIR]`.
//
// --app-template DIR: a bjw-s app-template chart (4.x) with its `common` library in DIR/charts
// (`helm dependency build`); it is rendered with scripts/bench-app-template-values.yaml once per
// environment, with --skip-schema-validation (its values schemas are remote URLs, and skipping them
// only makes helm faster), as the peer of the synth target.
//
// Times the project's synth against peers run in the same invocation (helm template of the
// stock `helm create` chart, kubectl kustomize, node -e 0), with warm-up runs and commands
// interleaved round-robin so that machine noise hits all of them alike. Prints a markdown
// table of medians and ratios, then the targets with their measured values.
//
// It works in a scratch folder: the repo's dist/ is never written.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { helmBinary } from './bench-helm.mjs';
import { ciRun, diskMB, fmt, interleaved, median, peakMemoryMiB, ratio } from './bench-timing.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNNER = path.join(ROOT, 'scripts', 'run.sh');
const BASE = path.join(ROOT, 'config', '_base.yaml');
const args = process.argv.slice(2);
const USAGE = 'usage: npm run bench [-- --runs N] [--no-ci] [--app-template DIR]  (see docs/performance.md)';
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
// every option known, every value where one is needed: a typo must not start a run of minutes
for (let i = 0; i < args.length; i++) {
  const takesValue = args[i] === '--runs' || args[i] === '--app-template';
  if (!takesValue && args[i] !== '--no-ci') {
    console.error(`unknown option ${JSON.stringify(args[i])}; ${USAGE}`);
    process.exit(1);
  }
  if (takesValue && (args[i + 1] === undefined || args[i + 1].startsWith('--'))) {
    console.error(`${args[i]} needs a value; ${USAGE}`);
    process.exit(1);
  }
  if (takesValue) i++;
}
const RUNS = Number(args[args.indexOf('--runs') + 1] || 15) || 15;
// `.ci/run` in a fresh clone costs a full `npm ci`: --no-ci leaves it out
const CI = !args.includes('--no-ci');
const WARMUP = 2;
// the CLI runs take a second each: fewer of them, but enough for a stable median
const CLI_RUNS = Math.min(RUNS, 8);
const APP_TEMPLATE = args.includes('--app-template')
  ? path.resolve(args[args.indexOf('--app-template') + 1])
  : undefined;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-bench-'));
const log = (m) => process.stderr.write(`${m}\n`);

// ---- set-up ---------------------------------------------------------------------------------
log('building the app');
execFileSync('sh', [RUNNER, 'build'], { cwd: ROOT, stdio: 'inherit' });

/** a project folder that runs this repo's runner (and build), with its own config/ and dist/ */
function project(name, configs) {
  const dir = path.join(scratch, name);
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  for (const link of ['scripts', 'node_modules']) fs.symlinkSync(path.join(ROOT, link), path.join(dir, link));
  fs.copyFileSync(path.join(ROOT, 'cdk8s.yaml'), path.join(dir, 'cdk8s.yaml'));
  for (const [env, text] of configs) fs.writeFileSync(path.join(dir, 'config', `${env}.yaml`), text);
  // the values every environment shares, merged under each of them as in the repo
  if (fs.existsSync(BASE)) fs.copyFileSync(BASE, path.join(dir, 'config', '_base.yaml'));
  return dir;
}

const committed = ['dev', 'staging', 'prod'].map((env) => [
  env,
  fs.readFileSync(path.join(ROOT, 'config', `${env}.yaml`), 'utf8'),
]);
const staging = committed[1][1];
/** n environments shaped like staging, each with its own namespace and host (shared ones are refused) */
const generated = (n) =>
  Array.from({ length: n }, (_, i) => {
    const env = `env-${String(i).padStart(3, '0')}`;
    const text = staging.replace(/^namespace: .*$/m, `namespace: reviewpoint-${env}`);
    return [env, text.replaceAll('api.staging.reviewpoint.example.com', `api.${env}.reviewpoint.example.com`)];
  });

const main3 = project('committed', committed);
const gen = Object.fromEntries([1, 10, 100].map((n) => [n, project(`gen-${n}`, generated(n))]));
// the CLI's own cost: the same CLI running an app that only copies the committed output into
// the CLI's folder (the CLI deletes that folder's previous content first: the same files)
const trivial = path.join(scratch, 'trivial');
fs.mkdirSync(trivial);
const copyApp = `mkdir -p "$CDK8S_OUTDIR" && cp -R '${path.join(ROOT, 'dist')}/.' "$CDK8S_OUTDIR"/`;
fs.writeFileSync(
  path.join(trivial, 'cdk8s.yaml'),
  `language: typescript\napp: ${JSON.stringify(copyApp)}\noutput: cdk8s.out\n`,
);

// the peer: helm from PATH, else fetched once (see bench-helm.mjs)
const helm = helmBinary(ROOT, scratch, log);
execFileSync(helm, ['create', 'demo'], { cwd: scratch, stdio: 'ignore' });
const helmVersion = execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }).trim();
const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0 ? 'kubectl' : undefined;
const cdk8s = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** what `npm run synth` runs, in a project folder */
const synth = (dir, argv, env) => ['sh', [RUNNER, 'synth', ...argv], dir, env];

// a fresh output folder for every synth run, so every run writes everything
let outCount = 0;
const freshOut = () => path.join(scratch, 'out', String(outCount++));

const commands = [
  { id: 'node', label: '`node -e 0` (Node.js start-up, the floor)', cmd: () => [process.execPath, ['-e', '0']] },
  {
    id: 'helm',
    label: '`helm template` of the `helm create` chart (the peer)',
    cmd: () => [helm, ['template', 'demo', path.join(scratch, 'demo')]],
  },
  APP_TEMPLATE && {
    id: 'appTemplate',
    label: '`helm template` of bjw-s app-template, once per environment (3)',
    cmd: () => [
      'sh',
      [
        '-c',
        'for env in dev staging prod; do "$0" template reviewpoint-backend "$1" -n "reviewpoint-$env" -f "$2" --skip-schema-validation >/dev/null || exit 1; done',
        helm,
        APP_TEMPLATE,
        path.join(ROOT, 'scripts', 'bench-app-template-values.yaml'),
      ],
    ],
  },
  kubectl && {
    id: 'kustomize',
    label: '`kubectl kustomize dist/prod`',
    cmd: () => ['kubectl', ['kustomize', path.join(ROOT, 'dist', 'prod')]],
  },
  {
    id: 'synth',
    label: 'synth, 3 environments (the `npm run synth` command)',
    cmd: () => synth(main3, ['--out', freshOut()]),
  },
  {
    id: 'gen1',
    label: 'synth, 1 generated environment',
    cmd: () => synth(gen[1], ['--out', freshOut()]),
  },
  {
    id: 'gen10',
    label: 'synth, 10 generated environments',
    cmd: () => synth(gen[10], ['--out', freshOut()]),
  },
  {
    id: 'gen100',
    label: 'synth, 100 generated environments',
    cmd: () => synth(gen[100], ['--out', freshOut()]),
  },
  // the two apps alone, doing what they do under the CLI: the synth replaces the project's
  // dist/ and writes its copy to CDK8S_OUTDIR; the other app only copies
  {
    id: 'synthUnderCli',
    label: 'synth, 3 environments, as under the CLI (replaces dist/, copies to `CDK8S_OUTDIR`)',
    cmd: () => synth(main3, [], { CDK8S_OUTDIR: freshOut() }),
  },
  {
    id: 'copyApp',
    label: 'an app that copies the same files to `CDK8S_OUTDIR`',
    cmd: () => ['sh', ['-c', copyApp], trivial, { CDK8S_OUTDIR: freshOut() }],
  },
  {
    id: 'cli',
    label: '`npx cdk8s synth` (3 environments, with the validation plugin)',
    runs: CLI_RUNS,
    cmd: () => [process.execPath, [cdk8s, 'synth', '--no-check-upgrade'], main3],
  },
  {
    id: 'cliNoValidate',
    label: '`npx cdk8s synth --no-validate` (3 environments, no plugin)',
    runs: CLI_RUNS,
    cmd: () => [process.execPath, [cdk8s, 'synth', '--no-check-upgrade', '--no-validate'], main3],
  },
  {
    id: 'cliTrivial',
    label: '`cdk8s synth` of that copying app (the CLI alone)',
    runs: CLI_RUNS,
    cmd: () => [process.execPath, [cdk8s, 'synth', '--no-check-upgrade'], trivial],
  },
].filter(Boolean);

// ---- timing -----------------------------------------------------------------------------------
const samples = interleaved(commands, { root: ROOT, warmup: WARMUP, runs: RUNS, log });

log('timing npm test (3 runs)');
const testRuns = [];
for (let i = 0; i < 3; i++) {
  const start = process.hrtime.bigint();
  const r = spawnSync('npm', ['test', '--silent'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`npm test failed:\n${`${r.stdout}${r.stderr}`.slice(-4000)}`);
  testRuns.push(Number(process.hrtime.bigint() - start) / 1e6);
}

const nodeModulesMB = diskMB(path.join(ROOT, 'node_modules'));

const ci = CI ? ciRun(ROOT, scratch, log) : undefined;

const memory = fs.existsSync('/usr/bin/time')
  ? {
      synth: peakMemoryMiB(synth(main3, ['--out', freshOut()])),
      gen100: peakMemoryMiB(synth(gen[100], ['--out', freshOut()])),
    }
  : {};

// ---- report -------------------------------------------------------------------------------------
const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));

const rows = commands.map(
  (c) =>
    `| ${c.label} | ${fmt(med[c.id])} | ${fmt(Math.min(...samples[c.id]))} | ${samples[c.id].length} | ${ratio(med[c.id], med.helm)} | ${ratio(med[c.id], med.node)} |`,
);
rows.push(
  `| \`npm test\` (type-check + jest), wall | ${fmt(median(testRuns))} | ${fmt(Math.min(...testRuns))} | ${testRuns.length} | | |`,
);
if (ci)
  rows.push(
    `| \`.ci/run\` in a fresh clone (\`npm ci\`, \`npm test\`, kustomize), wall | ${fmt(ci.ms)} | ${fmt(ci.ms)} | 1 | | |`,
  );

const perEnv = (med.gen100 - med.gen1) / 99;
// what the CLI adds around the app, against what it adds around an app that only copies files
const cliOverhead = med.cliNoValidate - med.synthUnderCli;
const cliAlone = med.cliTrivial - med.copyApp;
const pluginCost = med.cli - med.cliNoValidate;
const targets = [
  [
    'synth of all environments at or below 0.6x `helm template` of app-template for the same environments',
    med.appTemplate ? `${ratio(med.synth, med.appTemplate)}` : 'not run (no --app-template DIR)',
    med.appTemplate ? med.synth <= 0.6 * med.appTemplate : undefined,
  ],
  ['each additional environment under 10 ms', `${perEnv.toFixed(2)} ms ((100 envs - 1 env) / 99)`, perEnv < 10],
  ['`npm test`, type-check included, within 30 s', fmt(median(testRuns)), median(testRuns) <= 30000],
  [
    '`node_modules` at most 300 MB',
    nodeModulesMB === undefined
      ? 'n/a'
      : `${nodeModulesMB.toFixed(0)} MB${ci?.nodeModulesMB ? ` (fresh clone after \`npm ci\`: ${ci.nodeModulesMB.toFixed(0)} MB)` : ''}`,
    nodeModulesMB === undefined ? undefined : Math.max(nodeModulesMB, ci?.nodeModulesMB ?? 0) <= 300,
  ],
  ['`.ci/run` in a fresh clone within 25 s', ci ? fmt(ci.ms) : 'not run (--no-ci)', ci ? ci.ms <= 25000 : undefined],
  [
    "`npx cdk8s synth` adds only the CLI's own overhead",
    `${fmt(cliOverhead)} on top of the synth; on top of an app that only copies the same files: ${fmt(cliAlone)} (the validation plugin adds ${fmt(pluginCost)} more)`,
    cliOverhead <= cliAlone * 1.1,
  ],
];

const cpu = os.cpus();
console.log(
  `### Benchmark (${new Date().toISOString().slice(0, 10)}, ${cpu.length} x ${cpu[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${helmVersion})\n`,
);
console.log('| command | median | min | runs | vs helm template | vs node -e 0 |');
console.log('|---|---|---|---|---|---|');
console.log(rows.join('\n'));
console.log('');
if (memory.synth)
  console.log(
    `Peak memory (max RSS) of the synth: ${memory.synth.toFixed(0)} MiB for 3 environments, ${memory.gen100.toFixed(0)} MiB for 100.\n`,
  );
console.log('| target | measured | met |');
console.log('|---|---|---|');
for (const [what, value, ok] of targets)
  console.log(`| ${what} | ${value} | ${ok === undefined ? 'n/a' : ok ? 'yes' : 'no'} |`);

fs.rmSync(scratch, { recursive: true, force: true });
