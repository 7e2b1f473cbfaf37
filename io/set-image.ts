/**
 * `npm run set-image -- --env ENV [--app REF] [--migration REF]`: what a release pipeline runs
 * to bump an environment's images. It edits config/ENV.yaml in place (comments and layout kept),
 * validates the result, and synthesizes that environment alone; if anything fails, the config
 * file is put back and dist/ is left as it was.
 */
import fs = require('node:fs');
import type { ImageConfig } from '../lib/config';
import { setImages, type ImageField } from '../lib/config-edit';
import { imageReference, parseImageReference } from '../lib/image-reference';
import { main, type Output } from '../main';
import { readOptions } from './args';
import { configFile, listEnvironments, loadEnvironmentWithWarnings, selectEnvironments } from './config-files';
import { withOutputLock } from './output-lock';

export interface SetImageOptions {
  readonly environment: string;
  /** the references as given, read once the environment's file is known */
  readonly refs: ReadonlyMap<ImageField, string>;
  readonly configDir: string;
  readonly outDir: string;
}

const USAGE = 'allowed: --env ENV, --app REF, --migration REF (at least one of them), --config DIR, --out DIR';

export function parseSetImageArgs(argv: readonly string[]): SetImageOptions {
  const o = readOptions(
    argv,
    {
      env: { type: 'string' },
      app: { type: 'string' },
      migration: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  if (o.env === undefined) throw new Error(`option --env is missing; ${USAGE}`);
  const refs = new Map<ImageField, string>();
  if (o.app !== undefined) refs.set('app.image', o.app);
  if (o.migration !== undefined) refs.set('migration.image', o.migration);
  if (refs.size === 0) throw new Error(`no image given; ${USAGE}`);
  return { environment: o.env, refs, configDir: o.config ?? 'config', outDir: o.out ?? 'dist' };
}

/** `synth` is main(): a test hands in a failing one to see the config file put back */
export function setImage(argv: readonly string[], out: Output, synth: typeof main = main): number {
  try {
    const options = parseSetImageArgs(argv);
    // the output's lock from the config edit to the end of the synth: a second run waits, so it
    // neither reads a half-done edit nor puts its file back over this one's
    return withOutputLock(options.outDir, () => edit(options, out, synth), { onWait: (line) => out.error(line) });
  } catch (e) {
    if (!(e instanceof Error)) throw e;
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
          `environment "${env}" (${file}), field ${field}, option --${field.split('.')[0]}: ${(e as Error).message}`,
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
    const changes = [
      ['app.image', current.app.image, next.app.image],
      ['migration.image', current.migration.image, next.migration.image],
    ] as const;
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
