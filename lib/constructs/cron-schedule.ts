/**
 * What Kubernetes takes as a CronJob's schedule and name, and the defaults the CronWorkload
 * writes, in a module of its own (no imports): the construct and a config validator both read it.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
 */

/** a CronJob's name: its Jobs are named `<name>-<minutes since the epoch>`, 11 more characters */
export const CRON_JOB_NAME_LIMIT = 52;

const CRON_FIELD = /^[\d*/,\-A-Za-z?]+$/;
export const CRON_MACROS: readonly string[] = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
];

/** the CronWorkload's defaults */
export const CRON_DEFAULTS = {
  concurrencyPolicy: 'Forbid',
  startingDeadlineSeconds: 300,
  activeDeadlineSeconds: 3600,
  backoffLimit: 0,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 1,
} as const;

/** why the controller would not run this schedule as written, or undefined when it would */
export function cronScheduleProblem(schedule: string): string | undefined {
  // the controller reads CRON_TZ= and TZ= prefixes, which Kubernetes documents as unsupported
  if (/TZ=/.test(schedule)) return 'no TZ= or CRON_TZ= prefix: the time zone goes in timeZone';
  const fields = schedule.trim().split(/\s+/);
  if (CRON_MACROS.includes(schedule) || (fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))))
    return undefined;
  return `five cron fields such as "30 2 * * *", or ${CRON_MACROS.join(', ')}`;
}

/** why the API server would refuse this time zone, or undefined: an IANA name such as Europe/Berlin */
export function timeZoneProblem(timeZone: string): string | undefined {
  const allowed = 'an IANA time zone such as Europe/Berlin or Etc/UTC';
  // "Local" would be the controller's own zone, which the API server refuses
  if (timeZone.trim() !== timeZone || timeZone === '' || /^local$/i.test(timeZone)) return allowed;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return allowed;
  }
}
