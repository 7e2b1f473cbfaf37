import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../main';
import { listEnvironments, loadEnvironment } from '../io/config-files';
import { configSchema, MAX_CONFIG_BYTES } from '../lib/config';
import { MAX_SHOWN } from '../lib/config/errors';
import { MAX_NESTING } from '../lib/yaml';
import { configFrom, configFromText, minimalConfig, scratchDir } from './helpers';

const WHERE = 'config error in environment "test" (config/test.yaml), field ';

/** the message a config text fails with */
function failureOf(text: string): string {
  try {
    configFromText(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
}

/** a config folder holding one valid environment, alpha */
function configDir(): string {
  const dir = path.join(scratchDir('rp-input-'), 'config');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'alpha.yaml'), stringify(minimalConfig()));
  return dir;
}

/** a synth of a config folder: exit code and every line it printed */
function synth(config: string): { code: number; output: string; out: string } {
  const out = path.join(path.dirname(config), 'dist');
  const lines: string[] = [];
  const code = main(['--config', config, '--out', out], {}, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
  return { code, output: lines.join('\n'), out };
}

describe('YAML that would cost time or memory', () => {
  test('fails fast when a billion-laughs file expands its aliases, naming the file', () => {
    // GIVEN nine levels of nine aliases each: a 1 KiB text that expands to 9^9 strings
    let text = 'namespace: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let previous = 'a';
    for (const name of 'bcdefghi') {
      text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
      previous = name;
    }
    // WHEN it is read
    const started = performance.now();
    const message = failureOf(text);
    // THEN it fails at the first alias, well under a second
    expect(performance.now() - started).toBeLessThan(1000);
    expect(message).toBe(
      `${WHERE}(yaml): YAML syntax error at line 2, column 8: an alias (*a); allowed: the value written out, since aliases are not expanded`,
    );
  });

  test('fails when a value is an alias, even a harmless one', () => {
    const text = stringify(minimalConfig()).replace('namespace: rp-test', 'namespace: &ns rp-test\nextra: *ns');
    expect(failureOf(text)).toMatch(/field \(yaml\): YAML syntax error at line 2, column 8: an alias \(\*ns\)/);
  });

  test.each([
    ['a list', `namespace: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['a mapping', `namespace: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`],
    ['an unknown key', `nested: ${'['.repeat(10_000)}\n`],
    ['compact lists', `app:\n  command:\n    ${'- '.repeat(10_000)}x\n`],
  ])('fails fast when %s nests 10,000 levels deep, naming the file and the position', (_what, text) => {
    const started = performance.now();
    const message = failureOf(text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(message).toMatch(
      new RegExp(
        `^${WHERE.replace(/[()]/g, '\\$&')}\\(yaml\\): YAML syntax error at line \\d+, column \\d+: nested deeper than ${MAX_NESTING} levels$`,
      ),
    );
  });

  test('fails fast when a variable is given twice among thousands, naming the key', () => {
    // GIVEN 4,500 variables, the last a second A_0 (the yaml library's own check is quadratic:
    // 50,000 keys took it 112 s; 64 KiB of config holds too few for a test to tell)
    const keys = Array.from({ length: 4500 }, (_, i) => `    A_${i}: x\n`).join('');
    const text = stringify(minimalConfig()).replace('settings:\n', `settings:\n  extraEnv:\n${keys}    A_0: y\n`);
    expect(text.length).toBeLessThan(MAX_CONFIG_BYTES);
    const started = performance.now();
    const message = failureOf(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(message).toMatch(
      /field \(yaml\): YAML syntax error at line \d+, column 5: a second key "A_0" in this mapping; allowed: each key once$/,
    );
  });

  test('fails when the text is longer than a config file has reason to be', () => {
    const text = `${stringify(minimalConfig())}# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    expect(failureOf(text)).toBe(
      `${WHERE}(root): got ${text.length} characters; allowed: a file of at most ${MAX_CONFIG_BYTES} bytes`,
    );
  });

  test('fails when a file is larger than a config file has reason to be, before reading it', () => {
    const dir = configDir();
    fs.writeFileSync(path.join(dir, 'alpha.yaml'), `${stringify(minimalConfig())}# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(() => listEnvironments(dir)).toThrow(
      new RegExp(`alpha\\.yaml has \\d+ bytes; allowed: at most ${MAX_CONFIG_BYTES}$`),
    );
  });
});

describe('keys a JavaScript object holds for itself', () => {
  test.each(['constructor', '__proto__', 'prototype', 'hasOwnProperty'])(
    'fails when %s is a top-level key, as any unknown key does',
    (key) => {
      const text = `${key}:\n  polluted: true\n${stringify(minimalConfig())}`;
      expect(failureOf(text).split('\n')).toEqual([
        // the top-level keys as the schema has them: a branch that adds one does not break this
        `${WHERE}${key}: unknown key "${key}"; allowed keys here: ${Object.keys(configSchema.shape).join(', ')}`,
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  test.each(['constructor', '__proto__', 'prototype'])('fails when %s is a key inside a section', (key) => {
    const text = stringify(minimalConfig()).replace('app:\n', `app:\n  ${key}: {}\n`);
    expect(failureOf(text)).toMatch(
      new RegExp(`field app\\.${key}: unknown key "${key}"; allowed keys here: image, command,`),
    );
  });

  test('fails when __proto__ names a variable, which an object would take for its prototype', () => {
    const text = stringify(minimalConfig()).replace('settings:\n', 'settings:\n  extraEnv:\n    __proto__: x\n');
    expect(failureOf(text)).toBe(
      `${WHERE}settings.extraEnv.__proto__: unknown key "__proto__"; allowed: any other key`,
    );
  });

  test.each(['settings.extraEnv', 'serviceMonitor.labels', 'ingress.annotations'])(
    'fails when constructor or hasOwnProperty is a key of %s, which cdk8s cannot render',
    (field) => {
      const data = minimalConfig();
      data.serviceMonitor = { labels: {} };
      data.ingress = { host: 'api.example.com', className: 'nginx', annotations: {} };
      data.allowIngressFrom = { namespace: 'ingress-nginx' };
      const [section, key] = field.split('.');
      data[section][key] = { constructor: 'a', prototype: 'b', hasOwnProperty: 'c' };
      const message = failureOf(stringify(data));
      expect(message).toContain(
        `${WHERE}${field}.constructor: got key "constructor", a name every JavaScript object inherits, which the renderer cannot hold as a key; allowed: any other key`,
      );
      expect(message).toContain(`field ${field}.hasOwnProperty: got key "hasOwnProperty"`);
      expect(message).not.toContain(`${field}.prototype`);
    },
  );
});

describe('what an error echoes', () => {
  test('fails with at most a bounded part of a long value', () => {
    const long = 'x'.repeat(10_000);
    const data = minimalConfig();
    data.namespace = long;
    const message = failureOf(stringify(data));
    expect(message).toBe(
      `${WHERE}namespace: got string "${'x'.repeat(MAX_SHOWN)}"... (10000 characters); allowed: characters <= 63`,
    );
  });

  test('fails with at most a bounded part of a long unknown key', () => {
    // (YAML allows an implicit key of at most 1024 characters)
    const key = 'k'.repeat(1000);
    const message = failureOf(`${key}: 1\n${stringify(minimalConfig())}`);
    expect(message).toMatch(
      new RegExp(
        `field k{197}\\.\\.\\.: unknown key "k{${MAX_SHOWN}}"\\.\\.\\. \\(1000 characters\\); allowed keys here: namespace,`,
      ),
    );
  });

  test('fails with at most twenty problems listed, and a count of the others', () => {
    const data = minimalConfig();
    for (let i = 0; i < 500; i++) data[`unknown${i}`] = i;
    const lines = failureOf(stringify(data)).split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('and 480 more config errors');
  });

  test('fails with a long list shown in part', () => {
    const data = minimalConfig();
    data.namespace = Array.from({ length: 1000 }, (_, i) => `item-${i}`);
    expect(failureOf(stringify(data))).toMatch(
      /field namespace: got a list \["item-0","item-1",.{40,70}\.\.\.; allowed: a string$/m,
    );
  });
});

describe('YAML read as YAML 1.2 with the core schema, as before', () => {
  const settings = (text: string) =>
    configFromText(stringify(minimalConfig()).replace('settings:\n', `settings:\n${text}`)).settings;

  test('reads on, yes, no, y and dates as strings, true and false as booleans', () => {
    const s = settings(
      '  extraEnv:\n    A: on\n    B: yes\n    C: No\n    D: y\n    E: 2001-12-14\n  authEnabled: false\n',
    );
    expect(s.extraEnv).toEqual({ A: 'on', B: 'yes', C: 'No', D: 'y', E: '2001-12-14' });
    expect(s.authEnabled).toBe(false);
  });

  test('reads decimal, hexadecimal and octal numbers as numbers', () => {
    const text = stringify(minimalConfig())
      .replace('replicas: 1', 'replicas: 0x3')
      .replace('egress:', 'port: 0o17\n  egress:');
    const config = configFromText(text);
    expect([config.app.replicas, config.database.port]).toEqual([3, 15]);
  });

  test('keeps the core schema when a file says %YAML 1.1', () => {
    const text = `%YAML 1.1\n---\n${stringify(minimalConfig()).replace('settings:\n', 'settings:\n  extraEnv:\n    A: yes\n')}`;
    expect(configFromText(text).settings.extraEnv).toEqual({ A: 'yes' });
  });

  test('fails when a number is written with underscores or in binary, which YAML 1.2 reads as a string', () => {
    const text = stringify(minimalConfig()).replace('replicas: 1', 'replicas: 1_0');
    expect(failureOf(text)).toBe(`${WHERE}app.replicas: got string "1_0"; allowed: a number`);
  });

  test.each([
    ['!!binary aGk=', 'tag:yaml.org,2002:binary'],
    ['!!timestamp 2001-12-14', 'tag:yaml.org,2002:timestamp'],
    ['!custom x', '!custom'],
  ])('fails when a value is tagged %s', (value, tag) => {
    const text = stringify(minimalConfig()).replace('namespace: rp-test', `namespace: ${value}`);
    expect(failureOf(text)).toBe(`${WHERE}(yaml): YAML syntax error at line 1, column 12: Unresolved tag: ${tag}`);
  });

  test('fails when a merge key is given, since the core schema has none', () => {
    const text = stringify(minimalConfig()).replace('app:\n', 'app:\n  <<: {}\n');
    expect(failureOf(text)).toMatch(/field app\.<<: unknown key "<<"/);
  });

  test('fails when a key is a collection', () => {
    expect(failureOf('? [a, b]\n: 1\n')).toBe(
      `${WHERE}(yaml): YAML syntax error at line 1, column 3: With stringKeys, all keys must be strings`,
    );
  });

  test('fails when a key is given twice', () => {
    expect(failureOf('namespace: a\nnamespace: b\n')).toBe(
      `${WHERE}(yaml): YAML syntax error at line 2, column 1: a second key "namespace" in this mapping; allowed: each key once`,
    );
  });

  test('fails when the file holds two documents', () => {
    expect(failureOf('namespace: a\n---\nnamespace: b\n')).toBe(
      `${WHERE}(yaml): YAML syntax error at line 2, column 1: a second document; allowed: one`,
    );
  });

  test('fails on a syntax error without echoing the line it is on', () => {
    const message = failureOf('namespace: rp\ntoken: "ghp_s3cr3t\n');
    expect(message).toMatch(/field \(yaml\): YAML syntax error at line \d+, column \d+: Missing closing "quote$/);
    expect(message).not.toContain('ghp_s3cr3t');
  });
});

describe('control characters in config strings', () => {
  const CHARACTERS: Array<[string, string, string]> = [
    ['U+0000', '\u0000', 'a control character'],
    ['U+001B', '\u001b', 'a control character'],
    ['U+000D', '\r', 'a control character'],
    ['U+007F', '\u007f', 'a control character'],
    ['U+0085', '\u0085', 'a control character'],
    ['U+009B', '\u009b', 'a control character'],
    ['U+2028', '\u2028', 'a line or paragraph separator'],
    ['U+2029', '\u2029', 'a line or paragraph separator'],
    ['U+FEFF', '\ufeff', 'a byte order mark'],
    ['U+D800', String.fromCharCode(0xd800), 'a lone surrogate'],
    ['U+DC00', String.fromCharCode(0xdc00), 'a lone surrogate'],
    ['U+FDD0', '\ufdd0', 'a noncharacter'],
    ['U+FFFE', '\ufffe', 'a noncharacter'],
    ['U+1FFFF', String.fromCodePoint(0x1ffff), 'a noncharacter'],
  ];

  test.each(CHARACTERS)('fails when a variable value holds %s, naming it', (name, c, kind) => {
    const data = minimalConfig();
    data.settings.extraEnv = { GREETING: `hi${c}there` };
    const message = failureOf(stringify(data));
    expect(message).toMatch(
      new RegExp(
        `^${WHERE.replace(/[()]/g, '\\$&')}settings\\.extraEnv\\.GREETING: got string "hi\\\\(?:r|[uU][0-9a-f]+)there", which holds ${name.replace('+', '\\+')} \\(${kind}\\) at character 3; allowed: printable characters, tab and line feed$`,
      ),
    );
    // THEN the message itself holds no raw control character for a terminal to act on
    expect(message).not.toContain(c);
  });

  test('fails when an argument holds one, naming the list item', () => {
    const data = minimalConfig();
    data.app.args = ['--ok', 'bell\u0007'];
    expect(failureOf(stringify(data))).toMatch(/field app\.args\.1: got string "bell\\u0007", which holds U\+0007/);
  });

  test('fails when a key holds one', () => {
    const data = minimalConfig();
    data.secrets.externalSecret = { store: { name: 'vault' }, remoteKey: 'k', properties: { 'db-url\u0085': 'x' } };
    expect(failureOf(stringify(data))).toMatch(
      /field secrets\.externalSecret\.properties\.db-url\\u0085: got key "db-url\\u0085", which holds U\+0085/,
    );
  });

  test('keeps tabs, line feeds and printable Unicode', () => {
    const data = minimalConfig();
    data.settings.extraEnv = { GREETING: 'tab\there\nline ✓ 😀 é' };
    expect(configFrom(data).settings.extraEnv.GREETING).toBe('tab\there\nline ✓ 😀 é');
  });
});

describe('the config folder', () => {
  test('fails when a config file is a symbolic link, without showing what it points at', () => {
    // GIVEN config/prod.yaml linked to a token file
    const config = configDir();
    const token = path.join(path.dirname(config), 'token');
    fs.writeFileSync(token, 'ghp_TOKEN0123456789abcdef\n');
    fs.symlinkSync(token, path.join(config, 'prod.yaml'));
    // WHEN the synth runs
    const { code, output, out } = synth(config);
    // THEN it fails, naming the link, and the token is nowhere in its output
    expect(code).toBe(1);
    expect(output).toContain(
      `config error in environment "prod" (${config}/prod.yaml), field (root): ${config}/prod.yaml is a symbolic link; allowed: a regular file in ${config}`,
    );
    expect(output).not.toContain('ghp_TOKEN');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails when a config file is a symbolic link to another config file', () => {
    const config = configDir();
    fs.symlinkSync('alpha.yaml', path.join(config, 'beta.yaml'));
    expect(() => listEnvironments(config)).toThrow(/beta\.yaml is a symbolic link/);
    expect(() => loadEnvironment(config, 'beta')).toThrow(/beta\.yaml is a symbolic link/);
  });

  test('fails when a config file is a FIFO, without opening it', () => {
    const config = configDir();
    expect(spawnSync('mkfifo', [path.join(config, 'beta.yaml')]).status).toBe(0);
    // a read would block until a writer came: reaching the assertion shows none was tried
    expect(() => loadEnvironment(config, 'beta')).toThrow(
      /beta\.yaml is a FIFO \(named pipe\); allowed: a regular file in \S+config$/,
    );
    expect(synth(config).output).toMatch(/beta\.yaml is a FIFO/);
  });

  test('fails when a config file is a socket', async () => {
    const config = configDir();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(config, 'beta.yaml'), resolve));
    try {
      expect(() => listEnvironments(config)).toThrow(/beta\.yaml is a socket/);
    } finally {
      server.close();
    }
  });

  test('fails when a config file is a folder', () => {
    const config = configDir();
    fs.mkdirSync(path.join(config, 'beta.yaml'));
    expect(() => listEnvironments(config)).toThrow(/beta\.yaml is a folder/);
  });

  test('fails when a config file is not UTF-8', () => {
    const config = configDir();
    fs.writeFileSync(path.join(config, 'beta.yaml'), Buffer.from('namespace: caf\xe9\n', 'latin1'));
    expect(() => loadEnvironment(config, 'beta')).toThrow(
      /beta\.yaml is not UTF-8 text; allowed: a YAML file saved as UTF-8/,
    );
  });

  test.each([
    ['beta.YAML', 'rename {config}/beta.YAML -> {config}/beta.yaml'],
    ['beta.json', 'rename {config}/beta.json -> {config}/beta.yaml'],
    ['alpha.yml', 'remove {config}/alpha.yml (or merge it into {config}/alpha.yaml)'],
    ['alpha.yaml~', "remove {config}/alpha.yaml~ (an editor's backup, swap or lock file)"],
    ['alpha.yaml.bak', "remove {config}/alpha.yaml.bak (an editor's backup, swap or lock file)"],
    ['.alpha.yaml.swp', "remove {config}/.alpha.yaml.swp (an editor's backup, swap or lock file)"],
    ['.#alpha.yaml', "remove {config}/.#alpha.yaml (an editor's backup, swap or lock file)"],
    ['notes.txt', 'remove {config}/notes.txt (or move it out of {config})'],
  ])('fails when the folder holds %s, instead of ignoring it', (name, action) => {
    const config = configDir();
    fs.writeFileSync(path.join(config, name), 'namespace: rp-beta\n');
    const { code, output, out } = synth(config);
    expect(code).toBe(1);
    expect(output).toContain(
      `: config files must end in .yaml: ${action.replaceAll('{config}', config)}; allowed: one <environment>.yaml per environment, _base.yaml and schema.json\n`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
