import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { daemonSetObject, nodeObject, pdbObject } from '../../lab/objects';
import {
  loadScenario,
  parseScenario,
  scenarioDeployments,
  scenarioNodes,
} from '../../lab/scenario';

const defaultScenario = () => loadScenario(join(__dirname, '../../lab/scenarios/default.yaml'));

test('the default scenario has 3 control-plane nodes, 8 workers, 2 with 4 GPUs', () => {
  const nodes = scenarioNodes(defaultScenario());
  assert.equal(nodes.filter((n) => n.role === 'control-plane').length, 3);
  assert.equal(nodes.filter((n) => n.role === 'worker').length, 8);
  assert.deepEqual(
    nodes.filter((n) => n.gpus > 0).map((n) => [n.name, n.gpus]),
    [
      ['gpu-1', 4],
      ['gpu-2', 4],
    ],
  );
  assert.ok(nodes.every((n) => n.kubeletVersion.startsWith('v1.31.')));
});

test('control-plane nodes are tainted and labelled as kubeadm does; GPUs become capacity', () => {
  const nodes = scenarioNodes(defaultScenario());
  const cp = nodeObject(nodes[0]);
  assert.equal(cp.metadata?.labels?.['node-role.kubernetes.io/control-plane'], '');
  assert.deepEqual(cp.spec?.taints, [
    { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
  ]);
  const gpu = nodeObject(nodes.find((n) => n.name === 'gpu-1')!);
  assert.equal(gpu.status?.allocatable?.['nvidia.com/gpu'], '4');
  assert.equal(gpu.metadata?.annotations?.['kwok.x-k8s.io/node'], 'fake');
});

test('the NVIDIA device plugin DaemonSet carries the labels the upgrade looks for', () => {
  const s = defaultScenario();
  const nvdp = s.daemonSets.find((d) => d.namespace === 'k8s-nvidia-device-plugin');
  assert.ok(nvdp);
  const labels = daemonSetObject(nvdp).spec?.template.metadata?.labels;
  assert.equal(labels?.['app.kubernetes.io/instance'], 'nvdp');
  assert.equal(labels?.['app.kubernetes.io/name'], 'nvidia-device-plugin');
});

test('deployments with a count expand, and PDBs keep the one bound they were given', () => {
  const s = parseScenario({
    kubernetesVersion: 'v1.30.14',
    nodes: [{ name: 'n' }],
    deployments: [{ name: 'app', count: 3, pdb: { minAvailable: '50%' } }],
  });
  const deployments = scenarioDeployments(s);
  assert.deepEqual(
    deployments.map((d) => d.name),
    ['app-1', 'app-2', 'app-3'],
  );
  assert.deepEqual(pdbObject(deployments[0])?.spec, {
    selector: { matchLabels: { app: 'app-1' } },
    minAvailable: '50%',
  });
});

test('validation errors name every bad field', () => {
  assert.throws(
    () =>
      parseScenario(
        {
          kubernetesVersion: '1.30',
          nodes: [{ name: 'n', gpus: -1, colour: 'red' }],
          deployments: [{ name: 'd', pdb: { maxUnavailable: 1, minAvailable: 1 } }],
          pods: [{ name: 'p', node: 'missing' }],
          addons: { snapshotController: '8.1', monitoring: { chart: 'v60', operator: 'v0.74.0' } },
        },
        'test.yaml',
      ),
    (err: Error) => {
      for (const field of [
        'kubernetesVersion',
        'nodes[0].gpus',
        'nodes[0]: Unrecognized key: "colour"',
        'deployments[0].pdb',
        'pods[0].node: no node named missing',
        'addons.snapshotController: must look like v1.30.14',
        'addons.monitoring.chart: must be a chart version like 60.0.0',
      ]) {
        assert.match(err.message, new RegExp(field.replace(/[[\]().]/g, '\\$&')));
      }
      assert.match(err.message, /^invalid test\.yaml/);
      return true;
    },
  );
});

test('hosts: duplicate names and a custom deployment without a base script are refused by path', () => {
  const base = { kubernetesVersion: 'v1.31.14', nodes: [{ name: 'worker-1' }] };
  assert.throws(
    () =>
      parseScenario({
        ...base,
        hosts: [
          { name: 'worker-1', serial: 'LAB-1' },
          { name: 'worker-1', serial: 'LAB-2', deployment: 'custom' },
        ],
      }),
    (err: Error) =>
      err.message.includes('hosts[1].name: duplicate host worker-1') &&
      err.message.includes('hosts[1].baseScript: required when deployment is custom'),
  );
  const [host] = parseScenario({ ...base, hosts: [{ name: 'worker-1', serial: 'LAB-1' }] }).hosts;
  assert.deepEqual(host, {
    name: 'worker-1',
    serial: 'LAB-1',
    bmc: 'in-band',
    status: 'active',
    deployment: 'standard',
  });
});

test('a ceph section is validated field by field', () => {
  const base = { kubernetesVersion: 'v1.31.14', nodes: [{ name: 'worker' }] };
  assert.equal(parseScenario(base).ceph, undefined);
  const ceph = parseScenario({
    ...base,
    ceph: { rook: 'v1.15.9', image: 'quay.io/ceph/ceph:v18.2.2-20240311' },
  }).ceph;
  assert.equal(ceph?.chartVersions.includes('v1.15.9'), true);
  assert.throws(
    () =>
      parseScenario({
        ...base,
        ceph: { rook: 'v1.99.0', image: 'quay.io/ceph/ceph:latest', extra: 1 },
      }),
    (err: Error) => {
      assert.match(err.message, /ceph\.image: must be a Ceph image tagged with its version/);
      assert.match(err.message, /ceph: Unrecognized key: "extra"/);
      return true;
    },
  );
  assert.throws(
    () => parseScenario({ ...base, ceph: { rook: 'v1.99.0', image: 'quay.io/ceph/ceph:v18.2.4' } }),
    /ceph\.rook: must be one of chartVersions/,
  );
});

test('nova: every hypervisor is one of the hosts; the down time outlasts the report interval', () => {
  const base = {
    kubernetesVersion: 'v1.31.14',
    nodes: [{ name: 'cp', role: 'control-plane' }],
    hosts: [{ name: 'hv-1', serial: 'S1' }],
  };
  const nova = parseScenario({ ...base, nova: { hypervisors: ['hv-1'] } }).nova;
  assert.deepEqual(nova, { hypervisors: ['hv-1'], reportInterval: 2, serviceDownTime: 10 });
  assert.throws(
    () =>
      parseScenario({
        ...base,
        nova: { hypervisors: ['hv-1', 'hv-9'], reportInterval: 5, serviceDownTime: 5 },
      }),
    (err: Error) =>
      err.message.includes('nova.hypervisors[1]: no host named hv-9') &&
      err.message.includes(
        'nova.serviceDownTime: serviceDownTime must be longer than reportInterval',
      ),
  );
});
