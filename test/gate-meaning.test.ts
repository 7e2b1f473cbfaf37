/**
 * The config gate judges what a value means to whoever reads it: the backend's settings parser,
 * the ingress controller, the GitOps engines, the API server. Each case is one an attacker (or a
 * hurried pull request) would try, and each is refused.
 */
import { annotationFindings } from '../lib/annotation-policy';
import { pydanticBool } from '../lib/backend-settings';
import { credentialIn } from '../lib/secret-names';
import { configFrom, minimalConfig, productionConfig } from './helpers';

const WHERE = /^config error in environment "test" \(config\/test\.yaml\), field /;

/** the message of the error a config edit gives, or undefined when the config passes */
function errorOf(base: () => Record<string, any>, edit: (c: Record<string, any>) => void): string | undefined {
  const data = base();
  edit(data);
  try {
    configFrom(data);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function expectRefused(base: () => Record<string, any>, edit: (c: Record<string, any>) => void, message: RegExp) {
  const error = errorOf(base, edit);
  expect(error).toMatch(WHERE);
  expect(error).toMatch(message);
}

const extraEnv = (env: Record<string, string>) => (c: Record<string, any>) => {
  c.settings.extraEnv = env;
};

describe('settings, as the backend reads them', () => {
  test('fails when a lower-case copy of a managed setting turns auth off', () => {
    expectRefused(
      productionConfig,
      extraEnv({ reviewpoint_auth_enabled: 'false' }),
      /field settings\.extraEnv\.reviewpoint_auth_enabled: got reviewpoint_auth_enabled, which the manifests set themselves \(the backend reads names in any case\); allowed: settings\.authEnabled/,
    );
  });

  test('fails when a mixed-case copy sets the test environment', () => {
    expectRefused(
      productionConfig,
      extraEnv({ Reviewpoint_Environment: 'test' }),
      /field settings\.extraEnv\.Reviewpoint_Environment: got Reviewpoint_Environment, which the manifests set themselves/,
    );
  });

  test('fails when two spellings of one setting are given', () => {
    expectRefused(
      minimalConfig,
      extraEnv({ FEATURE_X: 'a', feature_x: 'b' }),
      /field settings\.extraEnv\.feature_x: got FEATURE_X and feature_x: one setting to the backend/,
    );
  });

  test.each([
    [
      'PYTEST_CURRENT_TEST',
      'x',
      /it turns on the backend's test mode, which unlocks .* whenever it is non-empty; allowed: unset/,
    ],
    ['FAST_TESTS', '1', /skip the JWT-secret check; allowed: unset/],
    ['REVIEWPOINT_TEST_MODE', '1', /test mode/],
    ['reviewpoint_test_mode', 'yes', /test mode/],
    ['ENVIRONMENT', 'test', /test mode/],
    ['environment', ' Test ', /test mode/],
    ['REVIEWPOINT_DEBUG', 'y', /debug mode is on unless pydantic reads it as false/],
    ['REVIEWPOINT_DEBUG', ' TRUE ', /debug mode/],
    ['reviewpoint_debug', 'On', /debug mode/],
    ['REVIEWPOINT_DEBUG', 'maybe', /debug mode/],
    ['PYTHONINSPECT', '1', /interactive interpreter/],
    ['PYTHONBREAKPOINT', 'pdb.set_trace', /breakpoint\(\)/],
  ])('fails when production sets %s=%j', (name, value, message) => {
    const error = errorOf(productionConfig, extraEnv({ [name]: value }));
    expect(error).toMatch(WHERE);
    expect(error).toContain(
      `field settings.extraEnv.${name}: got ${JSON.stringify(value)} in a production environment: `,
    );
    expect(error).toMatch(message);
  });

  test.each([
    ['LD_PRELOAD', '/tmp/x.so'],
    ['LD_LIBRARY_PATH', '/app/uploads'],
    ['ld_audit', '/tmp/a.so'],
    ['PYTHONPATH', '/app/uploads'],
    ['PYTHONSTARTUP', '/tmp/s.py'],
    ['PYTHONHOME', '/tmp'],
    ['PYTHONUSERBASE', '/tmp'],
    ['PYTHONPYCACHEPREFIX', '/tmp'],
    ['GCONV_PATH', '/tmp'],
  ])('fails when any environment, dev included, sets the loader variable %s', (name, value) => {
    expectRefused(
      minimalConfig,
      extraEnv({ [name]: value }),
      new RegExp(
        `field settings\\.extraEnv\\.${name}: got "${value}": it makes the process load code from a path, and the pod can write /tmp and the upload folder; allowed: unset`,
      ),
    );
  });

  test('fails when any environment names a dotenv file for the settings', () => {
    expectRefused(
      minimalConfig,
      extraEnv({ ENV_FILE: '/app/uploads/.env' }),
      /field settings\.extraEnv\.ENV_FILE: got "\/app\/uploads\/\.env": it loads settings from a file the gate never sees; allowed: unset/,
    );
  });

  test('fails when uvicorn gets an option from the environment', () => {
    expectRefused(
      minimalConfig,
      extraEnv({ UVICORN_ENV_FILE: '/tmp/.env' }),
      /field settings\.extraEnv\.UVICORN_ENV_FILE: got "\/tmp\/\.env": uvicorn takes its options from it.*; allowed: the option in app\.command or app\.args/,
    );
  });

  test('passes a false debug switch in production, and test switches outside it', () => {
    expect(errorOf(productionConfig, extraEnv({ REVIEWPOINT_DEBUG: ' Off ', PYTHONUNBUFFERED: '1' }))).toBeUndefined();
    expect(errorOf(minimalConfig, extraEnv({ PYTEST_CURRENT_TEST: 'x', REVIEWPOINT_DEBUG: 'y' }))).toBeUndefined();
  });
});

describe('credentials in values', () => {
  test('fails when an env value carries URL userinfo', () => {
    expectRefused(
      minimalConfig,
      extraEnv({ UPSTREAM_URL: 'https://user:pass@host' }),
      /field settings\.extraEnv\.UPSTREAM_URL: got a credential in plain text \(https:\/\/user:\*\*\*@host\)/,
    );
  });

  test('fails when a secret flag and its value are two arguments', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.app.args = ['--ssl-keyfile-password', 'hunter2'];
      },
      /field app\.args: got a credential in plain text \(--ssl-keyfile-password \*\*\*\)/,
    );
  });

  test('fails when a secret flag carries its value joined, in the command', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.migration.command = ['alembic', '--password=x', 'upgrade', 'head'];
      },
      /field migration\.command: got a credential in plain text \(--password=\*\*\*\)/,
    );
  });

  test('fails when the repository URL carries a token', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.delivery = { repoURL: 'https://x-access-token:ghp_abc@github.com/acme/gitops.git' };
      },
      /field delivery\.repoURL: got a credential in plain text \(https:\/\/x-access-token:\*\*\*@github\.com\)/,
    );
  });

  test('never shows the secret in the message', () => {
    const error = errorOf(minimalConfig, (c) => {
      c.app.args = ['--ssl-keyfile-password', 'hunter2'];
      c.settings.extraEnv = { UPSTREAM_URL: 'https://user:pass@host' };
    });
    expect(error).toBeDefined();
    expect(error).not.toMatch(/hunter2|pass@/);
  });

  test('passes a secret handed over by reference, and userinfo without a password outside http(s)', () => {
    expect(
      errorOf(minimalConfig, (c) => {
        c.app.args = ['--ssl-keyfile-password', '$(SSL_KEYFILE_PASSWORD)', '--token=$(TOKEN)'];
        c.delivery = { repoURL: 'ssh://git@github.com/acme/gitops.git' };
      }),
    ).toBeUndefined();
  });
});

describe('network peers, parsed', () => {
  test('fails when an ingress peer has prefix 0 but is not 0.0.0.0/0', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.allowIngressFrom = { cidr: '10.0.0.0/0' };
      },
      /field allowIngressFrom\.cidr: got "10\.0\.0\.0\/0": prefix \/0 is every IPv4 address; allowed: a prefix above 0/,
    );
  });

  test('fails when the database peer is every IPv6 address', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.database.egress = { cidr: '::/0' };
      },
      /field database\.egress\.cidr: got "::\/0": prefix \/0 is every IPv6 address/,
    );
  });

  test('fails when host bits are set, naming the network', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.database.egress = { cidr: '10.20.0.5/24' };
      },
      /field database\.egress\.cidr: got "10\.20\.0\.5\/24": host bits are set beyond \/24; allowed: the network 10\.20\.0\.0\/24, or \/32 for the one address/,
    );
  });

  test('fails when a production ingress peer is broader than a private range', () => {
    expectRefused(
      productionConfig,
      (c) => {
        c.allowIngressFrom = { cidr: '10.0.0.0/7' };
      },
      /field allowIngressFrom\.cidr: got "10\.0\.0\.0\/7" in a production environment: it reaches outside the private ranges.*; allowed: a range inside 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, fc00::\/7/,
    );
  });

  test('fails when a production scraper peer is a public range', () => {
    expectRefused(
      productionConfig,
      (c) => {
        c.serviceMonitor = { allowFrom: { cidr: '2001:db8::/32' } };
      },
      /field serviceMonitor\.allowFrom\.cidr: got "2001:db8::\/32" in a production environment/,
    );
  });

  test('fails when a CIDR is not an address', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.database.egress = { cidr: '10.0.0.256/24' };
      },
      /database\.egress\.cidr.*an IPv4 or IPv6 CIDR such as 10\.20\.0\.0\/16 or fd00:10::\/64/,
    );
  });

  test('passes IPv6 peers, and a wide ingress peer outside production', () => {
    expect(
      errorOf(productionConfig, (c) => {
        c.allowIngressFrom = { cidr: 'fd00:10::/64' };
        c.database.egress = { cidr: '2001:db8::/32' };
      }),
    ).toBeUndefined();
    expect(
      errorOf(minimalConfig, (c) => {
        c.allowIngressFrom = { cidr: '10.0.0.0/7' };
      }),
    ).toBeUndefined();
  });
});

describe('ingress annotations, by what the controller and the engines do with them', () => {
  const annotated = (annotations: Record<string, string>) => (c: Record<string, any>) => {
    c.ingress = { host: 'api.example.com', annotations };
  };

  test.each([
    'nginx.ingress.kubernetes.io/configuration-snippet',
    'nginx.ingress.kubernetes.io/server-snippet',
    'nginx.ingress.kubernetes.io/auth-snippet',
    'nginx.ingress.kubernetes.io/stream-snippet',
    'nginx.ingress.kubernetes.io/modsecurity-snippet',
    'nginx.ingress.kubernetes.io/Configuration-Snippet',
    'nginx.org/server-snippets',
    'haproxy.org/backend-config-snippet',
  ])('fails when the Ingress has the snippet %s', (key) => {
    expectRefused(
      minimalConfig,
      annotated({ [key]: 'return 200;' }),
      new RegExp(
        `field ingress\\.annotations\\.${key.replace(/\./g, '\\.')}: got "${key.replace(/\./g, '\\.')}": a configuration snippet`,
      ),
    );
  });

  test('fails when the Ingress has a server alias', () => {
    expectRefused(
      minimalConfig,
      annotated({ 'nginx.ingress.kubernetes.io/server-alias': 'api.other.example.com' }),
      /field ingress\.annotations\.nginx\.ingress\.kubernetes\.io\/server-alias: got .*: it serves more host names than ingress\.host/,
    );
  });

  test.each([
    ['argocd.argoproj.io/hook', 'Skip'],
    ['argocd.argoproj.io/sync-options', 'Prune=false'],
    ['notifications.argoproj.io/subscribe.on-sync.slack', 'x'],
    ['kustomize.toolkit.fluxcd.io/reconcile', 'disabled'],
    ['fluxcd.io/ignore', 'true'],
    ['helm.sh/hook', 'pre-install'],
    ['config.kubernetes.io/local-config', 'true'],
    ['kubectl.kubernetes.io/last-applied-configuration', '{}'],
  ])('fails when the Ingress has the engine control annotation %s', (key, value) => {
    expectRefused(
      minimalConfig,
      annotated({ [key]: value }),
      /: a control annotation of [a-z.]+: it changes whether and how a GitOps engine applies the object.*; allowed: none: the synth sets the engines' annotations itself/,
    );
  });

  test('fails when auth-url carries a credential', () => {
    expectRefused(
      minimalConfig,
      annotated({ 'nginx.ingress.kubernetes.io/auth-url': 'https://user:pass@auth.example.com/check' }),
      /field ingress\.annotations\.nginx\.ingress\.kubernetes\.io\/auth-url: got .*: its value carries a credential in plain text \(https:\/\/user:\*\*\*@auth\.example\.com\)/,
    );
  });

  test.each([
    ['nginx.ingress.kubernetes.io/auth-url', 'http://auth.example.com/check;\n}\nlocation /x {', ';'],
    ['nginx.ingress.kubernetes.io/mirror-target', 'https://m.example.com/$request_uri {', '{'],
    ['nginx.ingress.kubernetes.io/auth-tls-match-cn', 'CN=a"', '"'],
    ['nginx.org/rewrites', 'serviceName=x rewrite=/#', '#'],
  ])('fails when %s has nginx syntax in its value', (key, value, char) => {
    const error = errorOf(minimalConfig, annotated({ [key]: value }));
    expect(error).toMatch(WHERE);
    expect(error).toContain(
      `field ingress.annotations.${key}: got ${JSON.stringify(key)}: its value has ${JSON.stringify(char)}, which ends or opens nginx configuration`,
    );
  });

  // a config file holds at most 64 KiB (test/input-bounds.test.ts), so the policy's size limit is
  // reached by the objects the synth renders; the policy itself is shown at the limit here
  test("fails when the annotations pass the API server's 256 KiB", () => {
    const findings = annotationFindings({ 'example.com/a': 'x'.repeat(256 * 1024 - 13 + 1) });
    expect(findings).toEqual([
      { problem: '262145 bytes of annotations', allowed: expect.stringMatching(/at most 262144 bytes \(256 KiB\)/) },
    ]);
  });

  test('passes the controller settings production uses, and annotations of exactly 256 KiB', () => {
    expect(
      errorOf(
        minimalConfig,
        annotated({
          'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
          'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
          'nginx.ingress.kubernetes.io/auth-url': 'https://auth.example.com/check',
        }),
      ),
    ).toBeUndefined();
    expect(annotationFindings({ 'example.com/a': 'x'.repeat(256 * 1024 - 13) })).toEqual([]);
  });
});

describe('what the cluster owns', () => {
  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'kube-anything', 'default', 'argocd', 'flux-system'])(
    'fails when the namespace is %s',
    (namespace) => {
      expectRefused(
        minimalConfig,
        (c) => {
          c.namespace = namespace;
        },
        new RegExp(`field namespace: got "${namespace}": .*default-deny NetworkPolicy and Pod Security "restricted"`),
      );
    },
  );

  test("fails when the namespace is where this config's Argo CD runs", () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.namespace = 'gitops';
        c.delivery = { argocd: { namespace: 'gitops' } };
      },
      /field namespace: got "gitops": a GitOps engine runs there/,
    );
  });

  test('fails when runAsUser is above int32', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.app.runAsUser = 2147483648;
      },
      /field app\.runAsUser: .*2147483648.*2147483647/,
    );
  });

  test('fails when the migration runAsGroup is above int32', () => {
    expectRefused(
      minimalConfig,
      (c) => {
        c.migration.runAsGroup = 2147483648;
      },
      /field migration\.runAsGroup: .*2147483647/,
    );
  });

  test.each(['system-node-critical', 'system-cluster-critical', 'system-anything'])(
    'fails when the priority class is %s',
    (name) => {
      expectRefused(
        minimalConfig,
        (c) => {
          c.app.priorityClassName = name;
        },
        new RegExp(`field app\\.priorityClassName: got "${name}": "system-\\*" classes are the cluster's own`),
      );
    },
  );

  test('passes the largest int32 ID', () => {
    expect(
      errorOf(minimalConfig, (c) => {
        c.app.runAsUser = 2147483647;
        c.app.runAsGroup = 2147483647;
      }),
    ).toBeUndefined();
  });
});

describe('the judgements themselves', () => {
  test.each([
    ['1', true],
    ['true', true],
    ['T', true],
    ['Yes', true],
    ['y', true],
    ['ON', true],
    [' true\n', true],
    ['0', false],
    ['False', false],
    ['f', false],
    ['NO', false],
    ['n', false],
    ['off', false],
    ['2', undefined],
    ['', undefined],
    ['enabled', undefined],
  ])('pydantic reads %j as %s', (value, expected) => {
    expect(pydanticBool(value)).toBe(expected);
  });

  test.each([
    [['https://user:pass@host/path'], 'https://user:***@host'],
    [['postgresql+asyncpg://app:s3cret@db:5432/app'], 'postgresql+asyncpg://app:***@db:5432'],
    [['https://ghp_token@github.com/acme/repo.git'], 'https://***@github.com'],
    [['--ssl-keyfile-password', 'hunter2'], '--ssl-keyfile-password ***'],
    [['--password=x'], '--password=***'],
    [['-Dapi.key=x'], '-Dapi.key=***'],
    [['sh', '-c', 'tool --token abc'], '--token ***'],
    [['DB_PASSWORD=x tool'], 'DB_PASSWORD=***'],
  ])('finds the credential in %j', (words, shown) => {
    expect(credentialIn(...words)).toBe(shown);
  });

  test.each([
    [['ssh://git@github.com/acme/repo.git']],
    [['https://api.example.com/v1']],
    [['--password', '$(DB_PASSWORD)']],
    [['--password=$(DB_PASSWORD)']],
    [['--password', '--verbose']],
    [['--api-key-header', 'X-API-Key']],
    [['--token-ttl', '30']],
    [['--forwarded-allow-ips', '*', '--timeout-graceful-shutdown', '20']],
    [['["https://reviewpoint.example.com"]']],
  ])('finds no credential in %j', (words) => {
    expect(credentialIn(...words)).toBeUndefined();
  });

  test('reads a value of a mebibyte in well under a second per check, not in minutes', () => {
    // GIVEN a value of 1 MiB of letters, the shape that made an unbounded scheme pattern quadratic
    const value = 'x'.repeat(2 ** 20);
    const started = Date.now();
    // WHEN both value checks read it THEN they find nothing, and finish within a bound a
    // quadratic scan (minutes at this size) cannot meet even on a busy machine
    expect(credentialIn(value)).toBeUndefined();
    expect(annotationFindings({ 'example.com/a': value }).map((f) => f.key)).toEqual([undefined]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('keeps the engine annotations the synth writes, and only those, when told', () => {
    const annotations = { 'argocd.argoproj.io/sync-wave': '-1', 'argocd.argoproj.io/compare-options': 'x' };
    const keys = annotationFindings(annotations, { engineKeys: new Set(['argocd.argoproj.io/sync-wave']) });
    expect(keys.map((f) => f.key)).toEqual(['argocd.argoproj.io/compare-options']);
    expect(annotationFindings(annotations).map((f) => f.key)).toEqual(Object.keys(annotations));
  });
});
