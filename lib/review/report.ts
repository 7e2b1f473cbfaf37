/**
 * The review of a change as Markdown, to post as a pull-request comment: first whether a
 * production environment changes and what needs attention, then per environment each object
 * added, removed or changed, with its fields old -> new.
 */
import type { EnvironmentChange, ObjectChange } from './diff';
import { environmentRisks, RISK_TITLES, show, type Risk, type RiskKind } from './risks';

export interface ReviewInput {
  /** what the change is compared against, e.g. `origin/main` */
  readonly base: string;
  /** what is compared, e.g. `the working tree` */
  readonly head: string;
  readonly changes: readonly EnvironmentChange[];
}

export interface Review {
  readonly markdown: string;
  /** the environments that change and are production on either side: a change that drops the mark is one */
  readonly production: readonly string[];
  readonly risks: ReadonlyMap<string, readonly Risk[]>;
}

/** the order a reviewer should read the kinds of risk in: RISK_TITLES's */
const RISK_ORDER = Object.keys(RISK_TITLES) as RiskKind[];

/** rows of one object's field table before it is cut short */
const MAX_FIELDS = 30;

export function review(input: ReviewInput): Review {
  const risks = new Map(input.changes.map((e) => [e.environment, environmentRisks(e)]));
  const production = input.changes.filter((e) => e.production.before || e.production.after).map((e) => e.environment);
  const envTitle = (env: string) => `${env}${production.includes(env) ? ' (production)' : ''}`;
  const lines = [
    '## Manifest changes',
    '',
    `\`${input.base}\` -> ${input.head}, objects matched by kind, namespace and name.`,
    '',
  ];
  if (input.changes.length === 0) {
    lines.push('**No object changes in any environment.**', '');
    return { markdown: lines.join('\n'), production, risks };
  }
  lines.push(
    production.length > 0
      ? `**Production changes: ${production.join(', ')}.**`
      : '**No production environment changes.**',
    '',
  );
  lines.push('| environment | added | removed | changed | needs attention |', '|---|---|---|---|---|');
  for (const e of input.changes) {
    const count = (c: ObjectChange['change']) => e.objects.filter((o) => o.change === c).length;
    const kinds =
      RISK_ORDER.filter((k) => risks.get(e.environment)!.some((r) => r.kind === k))
        .map((k) => RISK_TITLES[k])
        .join(', ') || 'nothing flagged';
    lines.push(
      `| ${envTitle(e.environment)}${e.change === 'changed' ? '' : ` (environment ${e.change})`} | ${count('added')} | ${count('removed')} | ${count('changed')} | ${kinds} |`,
    );
  }
  for (const e of input.changes) {
    lines.push('', `### ${envTitle(e.environment)}`, '');
    const flagged = risks.get(e.environment)!;
    if (flagged.length > 0) {
      lines.push('**Needs attention:**', '');
      for (const r of [...flagged].sort((a, b) => RISK_ORDER.indexOf(a.kind) - RISK_ORDER.indexOf(b.kind))) {
        lines.push(`- **${RISK_TITLES[r.kind]}**: \`${r.object}\`: ${cell(r.message)}`);
      }
      lines.push('');
    }
    lines.push(...objectLines(e.objects));
  }
  // one blank line between blocks, however the blocks ended
  return {
    markdown: `${lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
    production,
    risks,
  };
}

function objectLines(objects: readonly ObjectChange[]): string[] {
  const lines: string[] = [];
  const ref = (o: ObjectChange) => `${o.kind} \`${o.name}\``;
  // a Job replaced by one of another name: the cluster sees one removed and one added, and runs it
  const removedJobs = objects.filter((o) => o.kind === 'Job' && o.change === 'removed');
  const addedJobs = objects.filter((o) => o.kind === 'Job' && o.change === 'added');
  const paired = new Set<ObjectChange>();
  for (let i = 0; i < Math.min(removedJobs.length, addedJobs.length); i++) {
    lines.push(
      `- ${ref(removedJobs[i])} removed, ${ref(addedJobs[i])} added: **a migration will run** (\`${addedJobs[i].file}\`)`,
    );
    paired.add(removedJobs[i]).add(addedJobs[i]);
  }
  for (const o of objects.filter((x) => !paired.has(x))) {
    if (o.change !== 'changed') {
      lines.push(
        `- ${ref(o)} ${o.change}${o.kind === 'Job' && o.change === 'added' ? ': **a migration will run**' : ''} (\`${o.file}\`)`,
      );
      continue;
    }
    lines.push(`- ${ref(o)} changed (\`${o.file}\`):`, '', '  | field | before | after |', '  |---|---|---|');
    for (const f of o.fields.slice(0, MAX_FIELDS))
      lines.push(`  | \`${cell(f.path)}\` | ${value(f.before)} | ${value(f.after)} |`);
    if (o.fields.length > MAX_FIELDS) lines.push(`  | and ${o.fields.length - MAX_FIELDS} more fields | | |`);
    lines.push('');
  }
  return lines;
}

function value(v: unknown): string {
  return v === undefined ? '(none)' : `\`${cell(show(v))}\``;
}

/** text for a Markdown table cell: a pipe would end the cell, a newline the row */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
