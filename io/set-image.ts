/**
 * `npm run set-image -- --env ENV [--app REF] [--migration REF] [--worker NAME=REF]
 * [--cron-job NAME=REF]`: what a release pipeline runs to bump an environment's images. `--app`
 * moves every worker and cron job without an image of its own too; one with its own image moves
 * with `--worker` / `--cron-job` only. It edits config/ENV.yaml in place (comments and layout kept),
 * validates the result, and synthesizes that environment alone; if anything fails, the config
 * file is put back and dist/ is left as it was.
 */
import fs = require('node:fs');
import type { EnvironmentConfig, ImageConfig } from '../lib/config';
import { setImages, type ImageField } from '../lib/config-edit';
import { imageReference, parseImageReference } from '../lib/image-reference';
import { main, type Output } from '../main';
import { readOptions } from './args';
import { configFile, listEnvironments, loadEnvironmentWithWarnings, selectEnvironments } from './config-files';
import { isReportable } from './errors';
import { withOutputLock } from './output-lock';

export interface SetImageOptions {
  readonly environment: string;
  /** the references as given, read once the environment's file is known */
  readonly refs: ReadonlyMap<ImageField, string>;
  readonly configDir: string;
  readonly outDir: string;
}

const USAGE =
  'allowed: --env ENV, --app REF, --migration REF, --worker NAME=REF, --cron-job NAME=REF (at least one image), --config DIR, --out DIR';

/** the option of each section of the config whose entries have images of their own */
const OWN_IMAGE_OPTIONS = { workers: 'worker', cronJobs: 'cron-job' } as const;

export function parseSetImageArgs(argv: readonly string[]): SetImageOptions {
  const o = readOptions(
    argv,
    {
      env: { type: 'string' },
      app: { type: 'string' },
      migration: { type: 'string' },
      worker: { type: 'string', multiple: true },
      'cron-job': { type: 'string', multiple: true },
      config: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  if (o.env === undefined) throw new Error(`option --env is missing; ${USAGE}`);
  const refs = new Map<ImageField, string>();
  if (o.app !== undefined) refs.set('app.image', o.app);
  if (o.migration !== undefined) refs.set('migration.image', o.migration);
  for (const [section, option] of Object.entries(OWN_IMAGE_OPTIONS) as Array<
    [keyof typeof OWN_IMAGE_OPTIONS, string]
  >) {
    for (const given of o[option as 'worker' | 'cron-job'] ?? []) {
      const at = given.indexOf('=');
      if (at <= 0) throw new Error(`option --${option} got ${JSON.stringify(given)}; allowed: NAME=REF`);
      const field: ImageField = `${section}.${given.slice(0, at)}.image`;
      if (refs.has(field)) throw new Error(`option --${option} names ${given.slice(0, at)} twice; allowed: once`);
      refs.set(field, given.slice(at + 1));
    }
  }
  if (refs.size === 0) throw new Error(`no image given; ${USAGE}`);
  return { environment: o.env, refs, configDir: o.config ?? 'config', outDir: o.out ?? 'dist' };
}

/** the option that sets an image field */
function optionOf(field: ImageField): string {
  const section = field.split('.')[0];
  return section in OWN_IMAGE_OPTIONS ? OWN_IMAGE_OPTIONS[section as keyof typeof OWN_IMAGE_OPTIONS] : section;
}

/** `synth` is main(): a test hands in a failing one to see the config file put back */
export function setImage(argv: readonly string[], out: Output, synth: typeof main = main): number {
  try {
    const options = parseSetImageArgs(argv);
    // the output's lock from the config edit to the end of the synth: a second run waits, so it
    // neither reads a half-done edit nor puts its file back over this one's
    return withOutputLock(options.outDir, () => edit(options, out, synth), { onWait: (line) => out.error(line) });
  } catch (e) {
    if (!isReportable(e)) throw e;
    out.error(`set-image failed: ${e.message}`);
    out.error('nothing was changed');
    return 1;
  }
}

/** edit the config file, then synthesize; the file is put back when either fails */
function edit(options: SetImageOptions, out: Output, synth: typeof main): number {
  let restore: (() => void) | undefined;
  try {
    const env = options.environment;
    selectEnvironments(options.configDir, listEnvironments(options.configDir), [env]);
    const file = configFile(options.configDir, env);
    const images = new Map<ImageField, ImageConfig>();
    for (const [field, ref] of options.refs) {
      try {
        images.set(field, parseImageReference(ref));
      } catch (e) {
        throw new Error(
          `environment "${env}" (${file}), field ${field}, option --${optionOf(field)}: ${(e as Error).message}`,
        );
      }
    }
    const before = fs.readFileSync(file, 'utf8');
    const current = loadEnvironmentWithWarnings(options.configDir, env, before).config;
    if (images.has('migration.image') && current.migration.strategy === 'none') {
      throw new Error(
        `environment "${env}" (${file}), field migration.image: migration.strategy is "none", so no image runs migrations; allowed: --app alone, or a strategy that runs them`,
      );
    }
    for (const field of images.keys()) {
      const [section, name] = field.split('.');
      if (section !== 'workers' && section !== 'cronJobs') continue;
      const entries: Record<string, { image?: ImageConfig }> = current[section];
      const option = `--${optionOf(field)}`;
      if (!Object.hasOwn(entries, name))
        throw new Error(
          `environment "${env}" (${file}), field ${section}.${name}, option ${option}: no such entry; allowed: ${Object.keys(entries).join(', ') || `none: ${section} is empty`}`,
        );
      if (!entries[name].image)
        throw new Error(
          `environment "${env}" (${file}), field ${field}, option ${option}: ${section}.${name} has no image of its own, it runs the app's; allowed: --app, which moves it with the app`,
        );
    }
    let after: string;
    try {
      after = setImages(before, images);
    } catch (e) {
      throw new Error(`environment "${env}" (${file}): ${(e as Error).message}`);
    }
    // validated before anything is written, over the base file: a bad tag or a production image
    // without a digest fails here, with the field and what is allowed
    const next = loadEnvironmentWithWarnings(options.configDir, env, after).config;

    fs.writeFileSync(file, after);
    restore = () => fs.writeFileSync(file, before);
    const own = (c: EnvironmentConfig, field: ImageField) => {
      const [section, name] = field.split('.') as ['workers' | 'cronJobs', string];
      return c[section][name]?.image;
    };
    const changes: Array<readonly [ImageField, ImageConfig | undefined, ImageConfig | undefined]> = [
      ['app.image', current.app.image, next.app.image],
      ['migration.image', current.migration.image, next.migration.image],
      ...[...images.keys()]
        .filter((f) => f.startsWith('workers.') || f.startsWith('cronJobs.'))
        .map((f) => [f, own(current, f), own(next, f)] as const),
    ];
    for (const [field, was, now] of changes) {
      if (images.has(field))
        out.log(`${file}: ${field} ${was ? imageReference(was) : '(none)'} -> ${now ? imageReference(now) : '(none)'}`);
    }
    // main() reports its own failure and leaves dist/ untouched; the config goes back with it
    if (synth(['--env', env, '--config', options.configDir, '--out', options.outDir], {}, out) !== 0) {
      restore();
      out.error(`set-image failed: ${file} is unchanged`);
      return 1;
    }
    return 0;
  } catch (e) {
    restore?.();
    throw e;
  }
}
