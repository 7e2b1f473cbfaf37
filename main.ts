/**
 * The app: each environment's config in, one chart per environment (lib/app/chart.ts) in one cdk8s App, rendered to
 * the files of dist/<env>/ (lib/render.ts) once every gate passed (lib/verify.ts). The command
 * line, publishing and reporting are io/cli.ts's; `npm run synth` and `cdk8s synth` run main()
 * through scripts/run.cjs, from the esbuild bundle of this file.
 */
import { ConfigError, ConfigErrors, type EnvironmentConfig } from './lib/config';
import { identityErrors } from './lib/environments';
import { App } from 'cdk8s';
import { ReviewpointChart } from './lib/app/chart';
import { chartObjects, renderEnvironment } from './lib/render';
import { verifyDelivery, verifyManifests } from './lib/verify';
import {
  configFile,
  listEnvironments,
  loadEnvironment,
  loadEnvironmentWithWarnings,
  selectEnvironments,
} from './io/config-files';
import { isReportable } from './io/errors';

import { runCli, type Output } from './io/cli';
import type { SynthOptions, Synthesized } from './lib/app/synthesis';

export type { Output, SynthOptions, Synthesized };

/**
 * Load, validate, render and check the selected environments.
 * @throws an error listing every problem of every environment; nothing has been written
 */
export function synthesize(options: SynthOptions): Synthesized {
  const all = listEnvironments(options.configDir);
  const names = selectEnvironments(options.configDir, all, options.environments);
  const errors: ConfigError[] = [];
  const warnings: string[] = [];
  const load = (name: string): EnvironmentConfig | undefined => {
    try {
      const loaded = loadEnvironmentWithWarnings(options.configDir, name);
      warnings.push(...loaded.warnings.map((w) => w.message));
      return loaded.config;
    } catch (e) {
      if (e instanceof ConfigErrors) errors.push(...e.errors);
      else if (e instanceof ConfigError) errors.push(e);
      else throw e;
      return undefined;
    }
  };
  const configs = names.map(load).filter((c): c is EnvironmentConfig => c !== undefined);
  // the others only for what environments must not share (namespace, host): a broken one is
  // its own run's problem
  const others = all
    .filter((n) => !names.includes(n))
    .map((name) => {
      try {
        return loadEnvironment(options.configDir, name);
      } catch {
        return undefined;
      }
    });
  // the environments not synthesized claim first, so a collision is reported on a selected one
  const claimants = [...others.filter((c): c is EnvironmentConfig => c !== undefined), ...configs];
  const mine = identityErrors(claimants, (env) => configFile(options.configDir, env)).filter((e) =>
    names.includes(e.source.environment),
  );
  errors.push(...mine);
  if (errors.length > 0) throw new ConfigErrors(errors);

  // the cdk8s app: one chart per environment. Its files are not app.synth()'s: they are laid out
  // for the delivery engines (lib/layout.ts) and written by io/cli.ts once the gate below passed
  const app = new App({ outdir: 'unused' });
  const charts = configs.map((config) => new ReviewpointChart(app, config.name, { config }));
  const rendered = charts.map((chart, i) => renderEnvironment(configs[i], chartObjects(chart)));
  // nothing is published unless every environment passes the schema, the API server's checks,
  // the security contract and the delivery model; every failing environment is reported
  const failures: string[] = [];
  rendered.forEach((r, i) => {
    try {
      verifyManifests(r.objects, { environment: r.name, production: configs[i].production });
      verifyDelivery(configs[i], r);
    } catch (e) {
      if (!isReportable(e)) throw e;
      failures.push(e.message);
    }
  });
  if (failures.length > 0) throw new Error(failures.join('\n'));
  return { all, configs, rendered, warnings };
}

/** the command line (io/cli.ts) around this app: what `npm run synth` and `cdk8s synth` run */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, out?: Output): number {
  return runCli(synthesize, argv, env, out);
}
