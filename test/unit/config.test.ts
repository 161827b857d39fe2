import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../workers/config';
import { TASK_QUEUE } from '../../workflows/api';

const dir = mkdtempSync(join(tmpdir(), 'steward-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
/** Writes `yaml` to a fresh file in the temp dir and returns its path. */
function configFile(yaml: string): string {
  const file = join(dir, `steward-${++fileCounter}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** Asserts that loading throws a ConfigError whose message contains every one of `parts`. */
function rejects(env: NodeJS.ProcessEnv, ...parts: string[]): void {
  assert.throws(
    () => loadConfig(env),
    (err: Error) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
      for (const part of parts) assert.ok(err.message.includes(part), err.message);
      return true;
    },
  );
}

describe('loadConfig', () => {
  it('has defaults for an empty environment', () => {
    assert.deepEqual(loadConfig({}), {
      temporal: {
        address: '127.0.0.1:7233',
        namespace: 'default',
        uiUrl: 'http://127.0.0.1:8233',
        deployment: { name: 'steward', versioning: true },
      },
      taskQueue: TASK_QUEUE,
      clusters: {},
      metrics: { port: 9464, bindAddress: '127.0.0.1', censusIntervalSeconds: 30 },
      health: { bindAddress: '127.0.0.1' },
      notifications: { format: 'steward' },
      log: { level: 'info' },
      drain: { evictionPollMs: 250 },
      addons: {},
      kubernetes: {},
      bmc: { port: 623, retries: 2, timeoutSeconds: 2, bootFlagValidBit: 'reported' },
      dns: {},
      provisioning: {},
      openstack: {},
    });
  });

  it('reads OpenStack regions with the password as a Vault reference', () => {
    const file = configFile(
      [
        'openstack:',
        '  lab:',
        '    authUrl: http://127.0.0.1:5000/v3',
        '    region: RegionOne',
        '    username: steward',
        '    passwordRef: vault:secret/data/openstack/steward#password',
        '    project: admin',
        '',
      ].join('\n'),
    );
    assert.deepEqual(loadConfig({ STEWARD_CONFIG: file }).openstack, {
      lab: {
        authUrl: 'http://127.0.0.1:5000/v3',
        region: 'RegionOne',
        username: 'steward',
        passwordRef: 'vault:secret/data/openstack/steward#password',
        project: 'admin',
      },
    });
  });

  it('reads Ceph and Rook access per cluster, resolving the CLI paths from the file', () => {
    const file = configFile(
      [
        'helm: bin/helm',
        'clusters:',
        '  a:',
        '    kubeconfig: a.kubeconfig',
        '    ceph: { cli: { conf: ceph/ceph.conf, keyring: ceph/admin.keyring } }',
        '    rook: { helm: { repo: https://charts.rook.io/release } }',
        '  b:',
        '    kubeconfig: b.kubeconfig',
        '    ceph: { toolbox: { namespace: rook-ceph } }',
      ].join('\n'),
    );
    const config = loadConfig({ STEWARD_CONFIG: file });
    assert.equal(config.helm, join(dir, 'bin/helm'));
    assert.deepEqual(config.clusters.a.ceph, {
      cli: { conf: join(dir, 'ceph/ceph.conf'), keyring: join(dir, 'ceph/admin.keyring') },
    });
    assert.deepEqual(config.clusters.a.rook, { helm: { repo: 'https://charts.rook.io/release' } });
    assert.deepEqual(config.clusters.b.ceph, { toolbox: { namespace: 'rook-ceph' } });
  });

  it('refuses a metrics or health bind address that is not an IP address, naming the field', () => {
    rejects({ STEWARD_CONFIG: configFile('metrics: { bindAddress: all }') }, 'metrics.bindAddress');
    rejects({ STEWARD_CONFIG: configFile('health: { port: 0 }') }, 'health.port');
  });

  it('refuses Ceph access that is neither the CLI nor the toolbox, naming the cluster', () => {
    const file = configFile(
      ['clusters:', '  a:', '    kubeconfig: a.kubeconfig', '    ceph: { keyring: x }'].join('\n'),
    );
    rejects({ STEWARD_CONFIG: file }, 'clusters.a.ceph');
  });

  it('reads the YAML file named by STEWARD_CONFIG', () => {
    const file = configFile(
      [
        'temporal:',
        '  address: temporal.example:7233',
        '  namespace: ops',
        'taskQueue: steward-test',
        'clusters:',
        '  lab:',
        '    kubeconfig: /etc/kube/lab.yaml',
        '    context: admin@lab',
        'metrics:',
        '  port: 9100',
        'log:',
        '  level: debug',
        'drain:',
        '  evictionPollMs: 250',
      ].join('\n'),
    );
    const config = loadConfig({ STEWARD_CONFIG: file });
    assert.equal(config.temporal.address, 'temporal.example:7233');
    assert.equal(config.temporal.namespace, 'ops');
    assert.equal(config.temporal.uiUrl, 'http://127.0.0.1:8233', 'unset keys keep defaults');
    assert.equal(config.taskQueue, 'steward-test');
    assert.deepEqual(config.clusters, {
      lab: { kubeconfig: '/etc/kube/lab.yaml', context: 'admin@lab' },
    });
    assert.equal(config.metrics.port, 9100);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.drain.evictionPollMs, 250);
  });

  it('treats an empty file as all defaults', () => {
    assert.deepEqual(loadConfig({ STEWARD_CONFIG: configFile('') }), loadConfig({}));
  });

  const overrides: {
    name: string;
    env: NodeJS.ProcessEnv;
    check: (c: ReturnType<typeof loadConfig>) => unknown;
    want: unknown;
  }[] = [
    {
      name: 'TEMPORAL_ADDRESS',
      env: { TEMPORAL_ADDRESS: 'env:7233' },
      check: (c) => c.temporal.address,
      want: 'env:7233',
    },
    {
      name: 'TEMPORAL_NAMESPACE',
      env: { TEMPORAL_NAMESPACE: 'env-ns' },
      check: (c) => c.temporal.namespace,
      want: 'env-ns',
    },
    {
      name: 'STEWARD_TASK_QUEUE',
      env: { STEWARD_TASK_QUEUE: 'env-queue' },
      check: (c) => c.taskQueue,
      want: 'env-queue',
    },
    {
      name: 'STEWARD_METRICS_PORT',
      env: { STEWARD_METRICS_PORT: '9200' },
      check: (c) => c.metrics.port,
      want: 9200,
    },
    {
      name: 'STEWARD_LOG_LEVEL',
      env: { STEWARD_LOG_LEVEL: 'warn' },
      check: (c) => c.log.level,
      want: 'warn',
    },
  ];
  const file = () =>
    configFile(
      [
        'temporal:',
        '  address: file:7233',
        '  namespace: file-ns',
        'taskQueue: file-queue',
        'metrics:',
        '  port: 9100',
        'log:',
        '  level: error',
      ].join('\n'),
    );
  for (const { name, env, check, want } of overrides) {
    it(`${name} overrides the file`, () => {
      const config = loadConfig({ STEWARD_CONFIG: file(), ...env });
      assert.deepEqual(check(config), want);
      // Everything else still comes from the file.
      const fromFile = loadConfig({ STEWARD_CONFIG: file() });
      for (const other of overrides.filter((o) => o.name !== name)) {
        assert.deepEqual(other.check(config), other.check(fromFile), other.name);
      }
    });
  }

  it('an environment override keeps sibling keys from the file', () => {
    const config = loadConfig({ STEWARD_CONFIG: file(), TEMPORAL_ADDRESS: 'env:7233' });
    assert.equal(config.temporal.address, 'env:7233');
    assert.equal(config.temporal.namespace, 'file-ns');
  });

  it('STEWARD_ADDON_MANIFESTS overrides the file; a relative path resolves against the file', () => {
    const path = configFile('addons:\n  manifests: cache/addons\n');
    assert.equal(loadConfig({ STEWARD_CONFIG: path }).addons.manifests, join(dir, 'cache/addons'));
    const env = { STEWARD_CONFIG: path, STEWARD_ADDON_MANIFESTS: '/srv/addons' };
    assert.equal(loadConfig(env).addons.manifests, '/srv/addons');
  });

  it('reads the Kubernetes releases upgrades may install', () => {
    const file = configFile('kubernetes:\n  releases: [v1.33.13, v1.34.2]\n');
    assert.deepEqual(loadConfig({ STEWARD_CONFIG: file }).kubernetes, {
      releases: ['v1.33.13', 'v1.34.2'],
    });
  });

  it('ignores empty environment variables', () => {
    const config = loadConfig({ STEWARD_CONFIG: file(), TEMPORAL_ADDRESS: '' });
    assert.equal(config.temporal.address, 'file:7233');
  });

  it('resolves relative kubeconfig and TLS paths against the file’s directory', () => {
    const sub = mkdtempSync(join(dir, 'nested-'));
    const path = join(sub, 'steward.yaml');
    writeFileSync(
      path,
      [
        'temporal:',
        '  tls:',
        '    cert: certs/client.pem',
        '    key: /abs/client.key',
        'clusters:',
        '  lab:',
        '    kubeconfig: kube/lab.yaml',
        '  prod:',
        '    kubeconfig: ../prod.yaml',
        '  edge:',
        '    kubeconfig: /etc/kube/edge.yaml',
      ].join('\n'),
    );
    const config = loadConfig({ STEWARD_CONFIG: path });
    assert.equal(config.clusters.lab.kubeconfig, join(sub, 'kube/lab.yaml'));
    assert.equal(config.clusters.prod.kubeconfig, join(dir, 'prod.yaml'));
    assert.equal(config.clusters.edge.kubeconfig, '/etc/kube/edge.yaml');
    assert.equal(config.temporal.tls?.cert, join(sub, 'certs/client.pem'));
    assert.equal(config.temporal.tls?.key, '/abs/client.key');
  });

  it('reads NetBox and Vault settings; their files resolve against the file’s directory', () => {
    const path = configFile(
      [
        'netbox:',
        '  url: https://netbox.example',
        '  tokenFile: secrets/netbox-token',
        'vault:',
        '  address: https://vault.example:8200',
        '  roleIdFile: approle/role-id',
        '  secretIdFile: /run/secrets/secret-id',
      ].join('\n'),
    );
    const config = loadConfig({ STEWARD_CONFIG: path });
    assert.deepEqual(config.netbox, {
      url: 'https://netbox.example',
      tokenFile: join(dir, 'secrets/netbox-token'),
    });
    assert.deepEqual(config.vault, {
      address: 'https://vault.example:8200',
      roleIdFile: join(dir, 'approle/role-id'),
      secretIdFile: '/run/secrets/secret-id',
    });
    const viaVault = configFile(
      'netbox:\n  url: http://nb\n  tokenRef: vault:secret/data/netbox#token\n',
    );
    assert.equal(
      loadConfig({ STEWARD_CONFIG: viaVault }).netbox?.tokenRef,
      'vault:secret/data/netbox#token',
    );
  });

  const bad: { name: string; yaml?: string; env?: NodeJS.ProcessEnv; parts: string[] }[] = [
    { name: 'port out of range', yaml: 'metrics:\n  port: 70000\n', parts: ['metrics.port'] },
    { name: 'fractional port', yaml: 'metrics:\n  port: 80.5\n', parts: ['metrics.port'] },
    {
      name: 'non-numeric port from env',
      env: { STEWARD_METRICS_PORT: 'http' },
      parts: ['metrics.port'],
    },
    { name: 'unknown log level', yaml: 'log:\n  level: loud\n', parts: ['log.level'] },
    {
      name: 'unknown log level from env',
      env: { STEWARD_LOG_LEVEL: 'trace' },
      parts: ['log.level'],
    },
    {
      name: 'zero evictionPollMs',
      yaml: 'drain:\n  evictionPollMs: 0\n',
      parts: ['drain.evictionPollMs'],
    },
    {
      name: 'cluster without kubeconfig',
      yaml: 'clusters:\n  lab:\n    context: x\n',
      parts: ['clusters.lab.kubeconfig'],
    },
    {
      name: 'empty kubeconfig',
      yaml: 'clusters:\n  lab:\n    kubeconfig: ""\n',
      parts: ['clusters.lab.kubeconfig'],
    },
    {
      name: 'non-string address',
      yaml: 'temporal:\n  address: 7233\n',
      parts: ['temporal.address'],
    },
    { name: 'unknown top-level key', yaml: 'clusterz: {}\n', parts: ['clusterz'] },
    {
      name: 'unknown nested key',
      yaml: 'temporal:\n  adress: x:1\n',
      parts: ['temporal', 'adress'],
    },
    {
      name: 'unknown cluster key',
      yaml: 'clusters:\n  lab:\n    kubeconfig: k\n    namespace: x\n',
      parts: ['clusters.lab', 'namespace'],
    },
    { name: 'unparsable YAML', yaml: 'temporal: [\n', parts: [] },
    {
      name: 'a NetBox token both from a file and from Vault',
      yaml: 'netbox:\n  url: http://nb\n  tokenFile: t\n  tokenRef: vault:secret/data/netbox#token\n',
      parts: ['netbox', 'set exactly one of tokenFile and tokenRef'],
    },
    {
      name: 'a NetBox token reference that is no KV v2 path',
      yaml: 'netbox:\n  url: http://nb\n  tokenRef: vault:secret/netbox#token\n',
      parts: ['netbox.tokenRef', 'not a KV v2 data path'],
    },
    {
      name: 'an OpenStack password given in clear instead of a Vault reference',
      yaml: 'openstack:\n  lab:\n    authUrl: http://ks/v3\n    username: s\n    passwordRef: hunter2\n    project: p\n',
      parts: ['openstack.lab.passwordRef', 'does not start with vault:'],
    },
    {
      name: 'a Kubernetes release that is no full version',
      yaml: 'kubernetes:\n  releases: [v1.33.13, "1.34"]\n',
      parts: ['kubernetes.releases.1', 'must be a full version'],
    },
    {
      name: 'a Vault without its AppRole secret ID file',
      yaml: 'vault:\n  address: http://vault:8200\n  roleIdFile: r\n',
      parts: ['vault.secretIdFile'],
    },
  ];
  for (const { name, yaml, env = {}, parts } of bad) {
    it(`rejects ${name}`, () => {
      if (yaml === undefined) {
        rejects(env, 'environment: ', ...parts);
      } else {
        const file = configFile(yaml);
        rejects({ STEWARD_CONFIG: file, ...env }, `${file}: `, ...parts);
      }
    });
  }

  it('rejects a missing file, naming it', () => {
    const missing = join(dir, 'missing.yaml');
    rejects({ STEWARD_CONFIG: missing }, missing);
  });
});
