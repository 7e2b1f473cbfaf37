import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { listEnvironments } from '../io/config-files';
import { configJsonSchemaText } from '../lib/config-schema';
import { readYaml } from '../lib/yaml';
import { CONFIG_DIR, configFrom, ENVIRONMENTS, minimalConfig, ROOT } from './helpers';

const SCHEMA_FILE = path.join(CONFIG_DIR, 'schema.json');
const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(committed));
const errors = () => (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

describe('config/schema.json', () => {
  test('is what the config validator makes', () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  test('is what npm run config-schema writes (its --check passes)', () => {
    const run = spawnSync(process.execPath, ['scripts/run.cjs', 'config-schema', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  test.each([...ENVIRONMENTS, '_base'])('accepts the committed config/%s.yaml, which points editors at it', (env) => {
    // GIVEN a committed config file
    const text = fs.readFileSync(path.join(CONFIG_DIR, `${env}.yaml`), 'utf8');
    // THEN its first line names the schema, and the schema accepts it
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    expect(validate(readYaml(text))).toBe(true);
    expect(errors()).toEqual([]);
  });

  const mistakes: Array<[string, (c: Record<string, any>) => void, RegExp]> = [
    [
      'a key is misspelt',
      (c) => {
        c.app.replcas = 2;
      },
      /must NOT have additional properties/,
    ],
    [
      'a nested key is misspelt',
      (c) => {
        c.migration.image.digst = 'sha256:x';
      },
      /^\/migration\/image must NOT have additional properties/,
    ],
    [
      'a value has the wrong type',
      (c) => {
        c.app.replicas = 'two';
      },
      /^\/app\/replicas must be integer/,
    ],
    [
      'a list is a string',
      (c) => {
        c.settings.allowedOrigins = 'https://a.example.com';
      },
      /^\/settings\/allowedOrigins must be array/,
    ],
    [
      'an enumeration has an unknown value',
      (c) => {
        c.settings.environment = 'production';
      },
      /^\/settings\/environment must be equal to one of the allowed values/,
    ],
    [
      'the migration strategy is unknown',
      (c) => {
        c.migration.strategy = 'cronjob';
      },
      /^\/migration\/strategy must be equal to one of the allowed values/,
    ],
  ];

  test.each(mistakes)('fails when %s, as the synth does', (_name, change, message) => {
    // GIVEN a valid config with one mistake
    const config = minimalConfig();
    change(config);
    // WHEN the editor schema checks it THEN it names the mistake
    expect(validate(config)).toBe(false);
    expect(errors().join('\n')).toMatch(message);
    // and the synth's validator refuses it too: the two never disagree on these
    expect(() => configFrom(config)).toThrow(/config error in environment "test"/);
  });

  test('accepts a minimal valid config: defaults are optional in the schema', () => {
    expect(validate(minimalConfig())).toBe(true);
  });

  test('requires no field: an environment file may leave any to the base file, and the base any to the environments', () => {
    // GIVEN an environment's half without the fields it takes from the base, and the base's half
    const config = minimalConfig();
    const { secrets, database, delivery, ...own } = config;
    // THEN each passes the editor schema, which leaves the missing fields to the synth
    expect(validate(own)).toBe(true);
    expect(validate({ secrets, database, delivery })).toBe(true);
    expect(validate({})).toBe(true);
  });

  test("accepts null for a key, which removes the base file's value, and still checks a value's type", () => {
    expect(validate({ ...minimalConfig(), allowIngressFrom: null, dns: { podLabels: null } })).toBe(true);
    expect(validate({ ...minimalConfig(), dns: { port: 'fifty-three' } })).toBe(false);
    expect(errors().join('\n')).toMatch(/^\/dns\/port must be integer/);
  });

  test('is not taken for an environment: config/ lists only the <env>.yaml files', () => {
    expect(listEnvironments(CONFIG_DIR)).toEqual([...ENVIRONMENTS].sort());
  });
});
