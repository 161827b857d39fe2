// deploy/: the chart lints, renders a valid worker config and applies (server-side dry run) on the
// lab's apiserver; deploy/rbac's ServiceAccount alone drains a node end to end through Steward,
// as the apiserver's audit log records, writes its Events with them, and cannot read Secrets or
// delete Nodes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from '../../lab/ceph/helm';
import { REPO_ROOT } from '../../scripts/stack';
import { loadConfig } from '../../workers/config';
import { describeAuditEvent } from '../support/audit';
import { stewardKubeconfigPath, stewardRequestsNoneRefused } from '../support/rbac';
import { startTestStack, type TestStack } from '../support/stack';

const CHART = join(REPO_ROOT, 'deploy/chart/steward');

interface CoreEvent {
  reason: string;
  message: string;
  firstTimestamp: string;
  reportingComponent?: string;
  source: { component?: string };
}
const run = async (command: string, args: string[], input?: string) => {
  const child = promisify(execFile)(command, args, { encoding: 'utf8' });
  if (input !== undefined) child.child.stdin!.end(input);
  try {
    return { code: 0, ...(await child) };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
const helm = (...args: string[]) => run(helmBinary(), args);

describe('the Helm chart', () => {
  const values = [
    'clusters[0].name=prod-a,clusters[0].kubeconfigSecret=steward-prod-a',
    'secrets.vaultAppRole=steward-vault,secrets.netboxToken=steward-netbox',
    'secrets.temporalApiKey=steward-temporal',
    'config.vault.address=https://vault.example.com,config.netbox.url=https://netbox.example.com',
  ].flatMap((v) => ['--set', v]);

  it('lints clean', async () => {
    const { code, stdout, stderr } = await helm('lint', '--strict', CHART, ...values);
    assert.equal(code, 0, stdout + stderr);
  });

  it('renders a config the worker accepts, secrets only by reference, probes and a restricted pod', async () => {
    const { code, stdout, stderr } = await helm('template', 's', CHART, '-n', 'steward', ...values);
    assert.equal(code, 0, stderr);
    const docs = parseAllDocuments(stdout).map((d) => d.toJSON());
    const byKind = (kind: string) => docs.find((d) => d?.kind === kind);
    const file = join(mkdtempSync(join(tmpdir(), 'steward-chart-')), 'config.yaml');
    writeFileSync(file, byKind('ConfigMap').data['config.yaml']);
    const config = loadConfig({ STEWARD_CONFIG: file });
    assert.deepEqual(config.clusters, {
      'prod-a': { kubeconfig: '/etc/steward/clusters/prod-a/kubeconfig' },
    });
    assert.equal(config.vault?.secretIdFile, '/etc/steward/vault/secret-id');
    assert.equal(config.netbox?.tokenFile, '/etc/steward/netbox/token');
    assert.deepEqual(config.metrics, {
      port: 9464,
      bindAddress: '0.0.0.0',
      censusIntervalSeconds: 30,
    });
    assert.doesNotMatch(stdout, /kind: Secret\b/, 'the chart holds no secret');

    const pod = byKind('Deployment').spec.template.spec;
    const [worker] = pod.containers;
    assert.deepEqual(worker.command, ['node', '/app/dist/workers/main.js']);
    assert.equal(worker.readinessProbe.httpGet.path, '/readyz');
    assert.equal(worker.livenessProbe.httpGet.path, '/livez');
    assert.deepEqual(worker.env[1].valueFrom.secretKeyRef, {
      name: 'steward-temporal',
      key: 'api-key',
    });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(worker.securityContext.capabilities.drop, ['ALL']);
  });
});

describe('on the lab: the chart applied and Steward as deploy/rbac makes it', () => {
  let stack: TestStack;
  let tokenKubeconfig: string;
  const asSteward = (...args: string[]) =>
    run('kubectl', ['--kubeconfig', tokenKubeconfig, ...args]);

  before(
    async () => {
      // No Rook on this lab: its file is left out, as deploy/rbac says.
      stack = await startTestStack('drain-lab.yaml', {
        rbac: ['00-identity', '10-drain', '20-kubernetes-upgrade', '30-addons'],
      });
      const { lab } = stack;
      await lab.kubectl('uncordon', 'spare-1');
      await lab.kubectl('uncordon', 'spare-2');
      // The `locked` PDB never allows an eviction: this drain is about rights, not waiting.
      await lab.kubectl('delete', 'pdb', 'locked');
      tokenKubeconfig = stewardKubeconfigPath(lab.stateDir);
    },
    { timeout: 300_000 },
  );
  after(async () => {
    await stack?.stop();
  });

  it('the chart applies with a server-side dry run, meeting Pod Security "restricted"', async () => {
    await stack.lab.kubectl('create', 'namespace', 'steward');
    await stack.lab.kubectl(
      'label',
      'namespace',
      'steward',
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/warn=restricted',
    );
    const rendered = await helm(
      'template',
      's',
      CHART,
      '-n',
      'steward',
      '--set',
      'clusters[0].name=lab,clusters[0].kubeconfigSecret=steward-lab',
    );
    assert.equal(rendered.code, 0, rendered.stderr);
    const applied = await run(
      'kubectl',
      ['--kubeconfig', stack.lab.kubeconfigPath, 'apply', '--dry-run=server', '-f', '-'],
      rendered.stdout,
    );
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /deployment.apps\/s created \(server dry run\)/);
    assert.doesNotMatch(applied.stderr, /Warning/, 'no Pod Security warning');
  });

  it('drains and uncordons a node with only its roles; the audit log names it', async () => {
    const drained = await stack.steward('drain', 'node-a', '--force', '--delete-emptydir-data');
    assert.equal(drained.code, 0, drained.stdout + drained.stderr);
    const uncordoned = await stack.steward('uncordon', 'node-a');
    assert.equal(uncordoned.code, 0, uncordoned.stdout + uncordoned.stderr);

    const steward = stewardRequestsNoneRefused(stack.lab.stateDir);
    const ok = (e: (typeof steward)[number]) => (e.responseStatus?.code ?? 0) < 300;
    const evictions = steward.filter((e) => e.objectRef?.subresource === 'eviction' && ok(e));
    assert.ok(evictions.length >= 4, steward.map(describeAuditEvent).join('\n'));
    const nodePatches = steward.filter(
      (e) =>
        e.verb === 'patch' &&
        e.objectRef?.resource === 'nodes' &&
        e.objectRef.name === 'node-a' &&
        ok(e),
    );
    assert.ok(nodePatches.length >= 2, 'cordon and uncordon as Steward');
    const node = JSON.parse(await stack.lab.kubectl('get', 'node', 'node-a', '-o', 'json'));
    assert.notEqual(node.spec.unschedulable, true);
  });

  it('the drain is on record as Events from steward: on the node (describe shows them) and its evicted pods', async () => {
    // Runs after the drain and uncordon above, by a worker with deploy/rbac's roles only.
    const { lab } = stack;
    const events = async (selector: string) =>
      (
        JSON.parse(
          await lab.kubectl('get', 'events', '-A', '--field-selector', selector, '-o', 'json'),
        ) as { items: CoreEvent[] }
      ).items.filter((e) => e.reportingComponent === 'steward');
    const onNode = await events('involvedObject.kind=Node,involvedObject.name=node-a');
    // Same-second Events list in name order: compared as a set, the uncordon last in time.
    const reasons = onNode.map((e) => e.reason).sort();
    const uncordon = onNode.find((e) => e.reason === 'Uncordon')!;
    assert.ok(onNode.every((e) => e.firstTimestamp <= uncordon.firstTimestamp));
    assert.deepEqual(
      reasons,
      ['Cordon', 'Drain', 'DrainComplete', 'Uncordon'].sort(),
      JSON.stringify(onNode),
    );
    for (const e of onNode) {
      assert.equal(e.source.component, 'steward');
      assert.match(e.message, /drain\/lab\/node-a|uncordon\/lab\/node-a/);
    }
    const described = await lab.kubectl('describe', 'node', 'node-a');
    assert.match(described, /Normal\s+DrainComplete\s+.*steward\s+Drained/);

    const onPods = await events('involvedObject.kind=Pod,reason=Evict');
    assert.ok(onPods.length >= 4, `an Evict Event per evicted pod: ${onPods.length}`);
    for (const e of onPods) assert.match(e.message, /draining node node-a \(drain\/lab\/node-a\)/);
  });

  it('cannot read Secrets or delete Nodes', async () => {
    const secrets = await asSteward('get', 'secrets', '-A');
    assert.notEqual(secrets.code, 0);
    assert.match(secrets.stderr, /Forbidden.*cannot list resource "secrets"/);
    const deleteNode = await asSteward('delete', 'node', 'spare-1', '--dry-run=server');
    assert.notEqual(deleteNode.code, 0);
    assert.match(deleteNode.stderr, /Forbidden.*cannot delete resource "nodes"/);
  });
});
