/**
 * The backend's environment as the backend reads it: which variable names are one setting, what a
 * boolean means to it, and which variables switch it into test or debug mode or make its
 * interpreter load other code. The config rules (settings.extraEnv) and the policy check of the
 * rendered pods both judge a variable here, so the gate and the backend never disagree on what a
 * value means.
 *
 * Facts (the backend's src/core/config.py, read with pydantic-settings): settings are read with
 * `case_sensitive=False`, so any spelling of a name sets the same field and the last one in the
 * environment wins; booleans are parsed as pydantic parses them; test mode is on when
 * `ENVIRONMENT == "test"`, `PYTEST_CURRENT_TEST` is non-empty or `REVIEWPOINT_TEST_MODE == "1"`;
 * `FAST_TESTS == "1"` skips the JWT-secret check; `ENV_FILE` names a dotenv file it loads.
 */

/**
 * The name as the backend reads it. pydantic-settings folds case; the variables the backend reads
 * with os.environ (PYTEST_CURRENT_TEST, FAST_TESTS, ENVIRONMENT) do not, but comparing every name
 * folded only ever refuses more, never lets a spelling through.
 */
export function settingName(name: string): string {
  return name.toUpperCase();
}

/** pydantic's lax booleans (pydantic-core str_as_bool), compared without case */
const PYDANTIC_TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const PYDANTIC_FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/**
 * A boolean setting as pydantic reads it: true, false, or undefined when pydantic would refuse the
 * value (the backend then fails at startup). Surrounding whitespace is dropped first: where pydantic
 * keeps it the value fails to parse, so reading it trimmed never calls a true value false.
 */
export function pydanticBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  return PYDANTIC_TRUE.has(v) ? true : PYDANTIC_FALSE.has(v) ? false : undefined;
}

/** what the gate says about one variable: why it is refused and what is allowed instead */
export interface SettingFinding {
  /** " in a production environment" when only production refuses it, else empty */
  readonly where: string;
  readonly problem: string;
  readonly allowed: string;
}

interface Switch {
  /** refused in production only, or in every environment */
  readonly where: 'production' | 'everywhere';
  /** whether this value is refused; undefined for a variable refused whatever its value */
  readonly refuses?: (value: string) => boolean;
  readonly problem: string;
  readonly allowed: string;
}

const TEST_MODE = "it turns on the backend's test mode, which unlocks an unauthenticated admin-promotion endpoint";
const isTest = (v: string) => v.trim().toLowerCase() === 'test';
// a path the interpreter or the dynamic loader takes code from: the pod can write /tmp and the
// upload folder (whose files come from users), so in any environment this runs what was uploaded
const LOADS_CODE = 'it makes the process load code from a path, and the pod can write /tmp and the upload folder';

/**
 * Every variable the gate refuses, by the name the backend reads. The test and debug switches are
 * refused in production; the loader variables everywhere (see LOADS_CODE), and so is ENV_FILE:
 * it reads settings, auth switch included, from a file no gate ever sees.
 */
const SWITCHES: Readonly<Record<string, Switch>> = {
  REVIEWPOINT_AUTH_ENABLED: {
    where: 'production',
    refuses: (v) => pydanticBool(v) !== true,
    problem: 'it bypasses authentication entirely unless it is true',
    allowed: 'true',
  },
  REVIEWPOINT_ENVIRONMENT: { where: 'production', refuses: isTest, problem: TEST_MODE, allowed: '"prod"' },
  ENVIRONMENT: { where: 'production', refuses: isTest, problem: TEST_MODE, allowed: 'unset' },
  REVIEWPOINT_TEST_MODE: { where: 'production', problem: TEST_MODE, allowed: 'unset' },
  PYTEST_CURRENT_TEST: { where: 'production', problem: `${TEST_MODE} whenever it is non-empty`, allowed: 'unset' },
  FAST_TESTS: {
    where: 'production',
    problem: 'it lets the settings accept an in-memory database and skip the JWT-secret check',
    allowed: 'unset',
  },
  REVIEWPOINT_DEBUG: {
    where: 'production',
    refuses: (v) => pydanticBool(v) !== false,
    problem: 'debug mode is on unless pydantic reads it as false',
    allowed: 'unset, or false (0, false, f, no, n, off)',
  },
  REVIEWPOINT_LOG_LEVEL: {
    where: 'production',
    refuses: (v) => v.trim().toUpperCase() === 'DEBUG',
    problem: 'debug logging writes request details into the logs',
    allowed: 'INFO, WARNING, ERROR or CRITICAL',
  },
  // the interpreter's own debug switches
  PYTHONINSPECT: {
    where: 'production',
    problem: 'it leaves an interactive interpreter behind the app',
    allowed: 'unset',
  },
  PYTHONBREAKPOINT: { where: 'production', problem: 'it names code that breakpoint() runs', allowed: 'unset' },
  PYTHONDEVMODE: { where: 'production', problem: "it turns on the interpreter's development mode", allowed: 'unset' },
  PYTHONASYNCIODEBUG: { where: 'production', problem: "it turns on asyncio's debug mode", allowed: 'unset' },
  PYTHONDEBUG: { where: 'production', problem: "it turns on the parser's debug output", allowed: 'unset' },
  ENV_FILE: { where: 'everywhere', problem: 'it loads settings from a file the gate never sees', allowed: 'unset' },
  PYTHONPATH: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset (the image sets PYTHONPATH=/app)' },
  PYTHONHOME: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' },
  PYTHONSTARTUP: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' },
  PYTHONUSERBASE: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' },
  PYTHONPYCACHEPREFIX: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' },
  PYTHONPLATLIBDIR: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' },
  GCONV_PATH: { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' },
};

/** name prefixes refused everywhere, each with its reason */
const PREFIXES: ReadonlyArray<readonly [string, Switch]> = [
  // the dynamic loader: LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, ...
  ['LD_', { where: 'everywhere', problem: LOADS_CODE, allowed: 'unset' }],
  // uvicorn reads every option it has from UVICORN_<OPTION> (click's auto_envvar_prefix): an env
  // file, a logging config, an app folder on sys.path, --reload; its options belong in app.command,
  // where the gate reads them
  [
    'UVICORN_',
    {
      where: 'everywhere',
      problem: "uvicorn takes its options from it, out of the gate's sight (an env file, a logging config, sys.path)",
      allowed: 'the option in app.command or app.args',
    },
  ],
];

// not refused anywhere, but a switch of the backend's auth all the same
const AUTH_SWITCHES: ReadonlySet<string> = new Set(['REVIEWPOINT_API_KEY_ENABLED']);

/**
 * Whether a variable switches the backend's auth, test or debug behaviour or what its interpreter
 * loads: the variables this module judges, in any spelling. A change of one is a risk to review.
 */
export function isGuardedSetting(name: string): boolean {
  const key = settingName(name);
  return key in SWITCHES || AUTH_SWITCHES.has(key) || PREFIXES.some(([prefix]) => key.startsWith(prefix));
}

/**
 * Why the backend (or its interpreter) must not get this variable with this value here, if it
 * must not. `value` undefined: set from a reference (a Secret), so any value is possible.
 */
export function judgeSetting(name: string, value: string | undefined, production: boolean): SettingFinding | undefined {
  const key = settingName(name);
  const rule = SWITCHES[key] ?? PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
  if (!rule || (rule.where === 'production' && !production)) return undefined;
  if (rule.refuses && value !== undefined && !rule.refuses(value)) return undefined;
  const where = rule.where === 'production' ? ' in a production environment' : '';
  return { where, problem: rule.problem, allowed: rule.allowed };
}

/** names that are one setting to the backend, grouped: each group of two or more is a conflict */
export function sameSettingGroups(names: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const key = settingName(name);
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
