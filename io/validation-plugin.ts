/**
 * The policy and schema checks as a cdk8s validation plugin, wired in cdk8s.yaml, so that
 * `npx cdk8s synth` reports violations in the CLI's own report format. The app runs the same
 * checks before it publishes anything; this plugin re-checks exactly the files the CLI sees.
 *
 * Manifests are grouped by the folder they are in (the environment); the environment's
 * production profile is read from its config file.
 */
import fs = require('node:fs');
import path = require('node:path');
import type { Validation, ValidationContext } from 'cdk8s-cli/plugins';
import { objectRef, RULES, type Manifest } from '../lib/policy';
import { validateSchema } from '../lib/schema';
import { findViolations } from '../lib/verify';
import { readYamlDocuments } from '../lib/yaml';
import { loadEnvironment } from './config-files';

/** the parts of the CLI's context this plugin reads: the files, and the report it fills */
export type PolicyContext = Pick<ValidationContext, 'manifests'> & {
  readonly report: Pick<ValidationContext['report'], 'addViolation' | 'submit'>;
};

export interface ReviewpointPolicyProps {
  /** @default config */
  readonly configDir?: string;
  /** the CLI's output folder (`output:` in cdk8s.yaml), whose subfolders are environments @default cdk8s.out */
  readonly outDir?: string;
}

export class ReviewpointPolicy implements Validation {
  private readonly configDir: string;
  private readonly outDir: string;

  constructor(props: ReviewpointPolicyProps = {}) {
    this.configDir = props.configDir ?? 'config';
    this.outDir = props.outDir ?? 'cdk8s.out';
  }

  public async validate(context: PolicyContext): Promise<void> {
    const byEnvironment = new Map<string, Array<{ manifest: Manifest; file: string; delivery: boolean }>>();
    for (const file of context.manifests) {
      // <outDir>/<env>/<stage>/<file>; the engines' own objects under <env>/delivery/ live in the
      // engines' namespaces, not the environment's: schema only, no workload policy
      const [env, folder] = path.relative(this.outDir, file).split(path.sep);
      const delivery = folder === 'delivery';
      for (const doc of readYamlDocuments(fs.readFileSync(file, 'utf8'))) {
        const manifest = doc as Manifest | null;
        // kustomization.yaml is build input for kustomize, not an object for the API server;
        // a Flux Kustomization (kustomize.toolkit.fluxcd.io) is one, and is checked
        if (!manifest || manifest.apiVersion?.startsWith('kustomize.config.k8s.io/')) continue;
        byEnvironment.set(env, [...(byEnvironment.get(env) ?? []), { manifest, file, delivery }]);
      }
    }
    let failed = 0;
    for (const [environment, entries] of byEnvironment) {
      const production = loadEnvironment(this.configDir, environment).production;
      const manifests = entries.filter((e) => !e.delivery).map((e) => e.manifest);
      const { schema, api, policy } = findViolations(manifests, { environment, production });
      const violations = [
        ...schema,
        ...api,
        ...policy,
        ...entries.filter((e) => e.delivery).flatMap((e) => validateSchema(e.manifest)),
      ];
      for (const v of violations) {
        const entry = entries.find((e) => objectRef(e.manifest) === v.object);
        const rule = RULES.find((r) => r.id === v.rule);
        context.report.addViolation({
          ruleName: v.rule,
          recommendation: `${v.container ? `container "${v.container}": ` : ''}${v.message}`,
          fix: rule ? rule.description : 'match the schema of its kind (the Kubernetes 1.28 API, or its CRD)',
          violatingResources: [
            { resourceName: v.object, locations: [environment], manifestPath: entry?.file ?? environment },
          ],
        });
      }
      failed += violations.length;
    }
    context.report.submit(failed === 0 ? 'success' : 'failure', { environments: [...byEnvironment.keys()].join(', ') });
  }
}
