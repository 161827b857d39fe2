import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../workers/config';
import { certificateFiles, connectionOptions } from '../../workers/temporal-connection';

const dir = mkdtempSync(join(tmpdir(), 'steward-temporal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const toml = file(
  'temporal.toml',
  [
    '[profile.default]',
    'address = "toml-default:7233"',
    'namespace = "toml-ns"',
    '[profile.prod]',
    'address = "prod.tmprl.cloud:7233"',
    'namespace = "prod.acct"',
    'api_key = "key-from-toml"',
  ].join('\n'),
);
const stewardFile = file(
  'steward.yaml',
  'temporal:\n  address: file:7233\n  namespace: file-ns\n  uiUrl: http://ui\n',
);

describe("Temporal's client configuration over Steward's file", () => {
  const cases: [string, NodeJS.ProcessEnv, string, string][] = [
    ['built-in defaults', {}, '127.0.0.1:7233', 'default'],
    ["Steward's file", { STEWARD_CONFIG: stewardFile }, 'file:7233', 'file-ns'],
    [
      "the TOML file's default profile over Steward's file",
      { STEWARD_CONFIG: stewardFile, TEMPORAL_CONFIG_FILE: toml },
      'toml-default:7233',
      'toml-ns',
    ],
    [
      'the profile TEMPORAL_PROFILE names',
      { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' },
      'prod.tmprl.cloud:7233',
      'prod.acct',
    ],
    [
      'TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE over the profile',
      {
        STEWARD_CONFIG: stewardFile,
        TEMPORAL_CONFIG_FILE: toml,
        TEMPORAL_ADDRESS: 'env:7233',
        TEMPORAL_NAMESPACE: 'env-ns',
      },
      'env:7233',
      'env-ns',
    ],
    [
      'only TEMPORAL_NAMESPACE: the address stays the file’s',
      { STEWARD_CONFIG: stewardFile, TEMPORAL_NAMESPACE: 'env-ns' },
      'file:7233',
      'env-ns',
    ],
  ];
  for (const [name, env, address, namespace] of cases) {
    it(name, () => {
      const config = loadConfig(env);
      assert.deepEqual([config.temporal.address, config.temporal.namespace], [address, namespace]);
      assert.equal(connectionOptions(config.temporal, env).address, address);
    });
  }

  it("the profile named in Steward's file, under TEMPORAL_PROFILE; one the TOML file lacks is refused naming it", () => {
    const named = file('named.yaml', 'temporal:\n  profile: prod\n');
    const env = { STEWARD_CONFIG: named, TEMPORAL_CONFIG_FILE: toml };
    assert.equal(loadConfig(env).temporal.namespace, 'prod.acct');
    const overridden = { ...env, TEMPORAL_PROFILE: 'default' };
    assert.equal(loadConfig(overridden).temporal.namespace, 'toml-ns', 'TEMPORAL_PROFILE wins');
    const missing = file('missing.yaml', 'temporal:\n  profile: staging\n');
    assert.throws(
      () => loadConfig({ STEWARD_CONFIG: missing, TEMPORAL_CONFIG_FILE: toml }),
      (err: Error) => err instanceof ConfigError && /staging/.test(err.message),
    );
  });

  it('the API key comes from TEMPORAL_API_KEY or the profile, never from Steward’s file, and means TLS', () => {
    const config = loadConfig({});
    assert.deepEqual(pick(connectionOptions(config.temporal, { TEMPORAL_API_KEY: 'k-env' })), {
      apiKey: 'k-env',
      tls: true,
    });
    const env = { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' };
    assert.equal(connectionOptions(loadConfig(env).temporal, env).apiKey, 'key-from-toml');
    assert.equal(connectionOptions(config.temporal, {}).apiKey, undefined);
    const withKey = file('key.yaml', 'temporal:\n  apiKeyEnv: MY_KEY\n');
    assert.throws(() => loadConfig({ STEWARD_CONFIG: withKey }), /temporal: .*apiKeyEnv/);
  });

  it("TLS: the standard variables win field by field over the file's paths; files are read at each connection", () => {
    const [cert, key, ca, envCa] = ['cert.pem', 'key.pem', 'ca.pem', 'env-ca.pem'].map((n) =>
      file(n, `${n} v1`),
    );
    const yaml = file(
      'tls.yaml',
      `temporal:\n  tls:\n    cert: ${cert}\n    key: ${key}\n    ca: ${ca}\n    serverName: file-name\n`,
    );
    const env = {
      STEWARD_CONFIG: yaml,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: envCa,
      TEMPORAL_TLS_SERVER_NAME: 'env-name',
    };
    const temporal = loadConfig(env).temporal;
    const read = () => {
      const tls = connectionOptions(temporal, env).tls;
      assert.ok(tls && typeof tls === 'object');
      const text = (b?: Uint8Array) => b && Buffer.from(b).toString();
      return [
        text(tls.clientCertPair?.crt),
        text(tls.clientCertPair?.key),
        text(tls.serverRootCACertificate),
        tls.serverNameOverride,
      ];
    };
    assert.deepEqual(read(), ['cert.pem v1', 'key.pem v1', 'env-ca.pem v1', 'env-name']);
    assert.deepEqual(certificateFiles(temporal, env), [cert, key, envCa]);
    writeFileSync(cert, 'cert.pem v2');
    writeFileSync(key, 'key.pem v2');
    assert.deepEqual(read(), ['cert.pem v2', 'key.pem v2', 'env-ca.pem v1', 'env-name']);
  });

  it('TEMPORAL_TLS=false turns TLS off, even with an API key', () => {
    const options = connectionOptions(loadConfig({}).temporal, {
      TEMPORAL_API_KEY: 'k',
      TEMPORAL_TLS: 'false',
    });
    assert.equal(options.tls, false);
  });
});

const pick = (o: { apiKey?: unknown; tls?: unknown }) => ({ apiKey: o.apiKey, tls: o.tls });
