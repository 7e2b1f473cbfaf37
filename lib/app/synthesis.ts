/**
 * The contract of a synth run, between the app (main.ts `synthesize()`) and the command line
 * around it (io/cli.ts), in a module of its own so that neither imports the other for it.
 */
import type { EnvironmentConfig } from '../config';
import type { RenderedEnvironment } from '../render';

export interface SynthOptions {
  /** the environments to synthesize; all when undefined */
  readonly environments?: readonly string[];
  readonly configDir: string;
}

export interface Synthesized {
  /** every environment with a config file */
  readonly all: readonly string[];
  readonly configs: readonly EnvironmentConfig[];
  readonly rendered: readonly RenderedEnvironment[];
  /** what the config holds that works but is likely wrong (a placeholder), one line each */
  readonly warnings: readonly string[];
}
