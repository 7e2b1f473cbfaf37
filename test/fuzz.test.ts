/**
 * Fuzzing every committed config (config/*.yaml, read at test time): generic mutations
 * (test/fuzz-mutations.ts) and the attacker classes of the guardrails (test/fuzz-attacks.ts),
 * each run through the command line into a scratch copy of config/ and dist/
 * (test/fuzz-sandbox.ts).
 *
 * Every case keeps what every run must keep (expectSound): a failure is a config error naming
 * environment, file and field, within a bound per case, and leaves dist/ byte-identical; a
 * success passes the full gate and reads back. Each attacker class adds what a production synth
 * must never have.
 *
 * Reproducible: a fixed seed, FUZZ_SEED=<integer> to change it, FUZZ_RUNS=<n> for the cases of
 * the generic property (each attacker class runs a tenth of that); a failure prints both.
 * A failing case is reported as found (no shrinking): its description is already small.
 */
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { readBaseText } from '../io/config-files';
import { readEnvironmentConfig } from '../lib/config';
import { ATTACKS, set } from './fuzz-attacks';
import {
  caseText,
  committedBaseFile,
  committedBases,
  genericEdit,
  hugeEdit,
  withDescription,
  type Base,
  type Case,
} from './fuzz-mutations';
import { expectSound, ReadBack, Sandbox, type Outcome } from './fuzz-sandbox';
import { CONFIG_DIR } from './helpers';

function integerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^-?\d+$/.test(text)) throw new Error(`${name}=${text}: allowed: an integer`);
  return Number(text);
}

const SEED = integerFromEnv('FUZZ_SEED', 16);
const RUNS = integerFromEnv('FUZZ_RUNS', 150);
const ATTACK_RUNS = Math.max(1, Math.round(RUNS / 10));
/** jest's bound for one property: the cases' own bound is CASE_MS each */
const TEST_MS = 120_000;

const bases = committedBases();
const baseOf = (env: string): Base => bases.find((b) => b.env === env)!;
const reads = new ReadBack();
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** run the cases of one property in a fresh sandbox; a failure says how to run it again */
function fuzz(
  cases: fc.Arbitrary<Case>,
  runs: number,
  check: (o: Outcome) => void,
  // the base file's mutations: the case's edits are the base's, run under the case's environment
  base?: Base,
): void {
  const sandbox = new Sandbox();
  try {
    fc.assert(
      fc.property(cases, (c) => {
        const outcome = base
          ? sandbox.run(c.env, caseText(base, c), 'base')
          : sandbox.run(c.env, caseText(baseOf(c.env), c));
        // no key of a config reaches the prototype every object shares
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
        expectSound(outcome, reads);
        check(outcome);
      }),
      { seed: SEED, numRuns: runs, endOnFailure: true },
    );
  } catch (e) {
    const title = (expect.getState().currentTestName ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // fast-check keeps what the case broke as the cause
    const cause = (e as Error).cause instanceof Error ? `\n${((e as Error).cause as Error).message}` : '';
    throw new Error(
      `reproduce with: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npx jest test/fuzz.test.ts -t "${title}"\n${(e as Error).message}${cause}`,
    );
  }
}

/** the committed configs that synthesize as production: what the attacker classes start from */
const productionBases = bases.filter((b) => {
  try {
    // over the committed base file, as the synth reads it
    const own = { text: stringify({ ...b.data, production: true }), file: `${b.env}.yaml` };
    return readEnvironmentConfig(b.env, own, readBaseText(CONFIG_DIR, b.env)).config.production;
  } catch {
    return false;
  }
});

describe('fuzzing the committed configs', () => {
  test('some committed config runs as production, so the attacker classes have one to start from', () => {
    expect(productionBases.length).toBeGreaterThan(0);
  });

  test(
    'generic mutations: a failure is a config error and writes nothing, a success passes the gate and reads back',
    () => {
      const edit = new Map(bases.map((b) => [b, genericEdit(b)]));
      const cases = fc
        .constantFrom(...bases)
        .chain((base) =>
          fc
            .array(edit.get(base)!, { minLength: 1, maxLength: 3 })
            .map((edits) => withDescription({ env: base.env, edits })),
        );
      fuzz(cases, RUNS, () => {});
    },
    TEST_MS,
  );

  const baseFile = committedBaseFile();
  (baseFile ? test : test.skip)(
    'mutations of the base file, under each environment: the same as those of an environment file',
    () => {
      const cases = fc
        .tuple(fc.constantFrom(...bases), fc.array(genericEdit(baseFile!), { minLength: 1, maxLength: 3 }))
        .map(([b, edits]) => withDescription({ env: b.env, edits }));
      fuzz(cases, ATTACK_RUNS * 3, () => {}, baseFile);
    },
    TEST_MS,
  );

  // error text truncated, so a value of megabytes does not end up in CI logs
  test(
    'a failure reports a huge value in a line of at most 2 KiB',
    () => {
      const cases = fc
        .constantFrom(...bases)
        .chain((base) => hugeEdit(base).map((edit) => withDescription({ env: base.env, edits: [edit] })));
      fuzz(cases, ATTACK_RUNS, (o) => {
        for (const line of o.code === 0 ? [] : o.lines) expect(line.length).toBeLessThanOrEqual(2048);
      });
    },
    TEST_MS,
  );

  for (const attack of ATTACKS) {
    test(
      `${attack.name}: never synthesizes a weaker production`,
      () => {
        const cases = fc.constantFrom(...productionBases).chain((base) =>
          fc
            .tuple(
              attack.edits(base),
              fc.boolean(),
              fc.integer({ min: 1000, max: 20_000 }),
              fc.constantFrom(['[', '', ']'], ['{a: ', '1', '}']),
            )
            .map(([edits, escape, depth, [open, inner, close]]) =>
              withDescription({
                env: base.env,
                edits: [set(['production'], true), ...edits],
                deep: [open, inner, close, depth],
                escape,
              }),
            ),
        );
        fuzz(cases, ATTACK_RUNS, (o) => {
          if (o.code === 0) expect(attack.weaker(o.checked!.rendered)).toEqual([]);
        });
      },
      TEST_MS,
    );
  }
});
