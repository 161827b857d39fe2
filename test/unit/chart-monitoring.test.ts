// The chart's PrometheusRule and Grafana dashboard: rendered by the real helm, every expression
// parsed by Prometheus's own PromQL grammar (lezer-promql), and every metric they read one that
// Steward emits (workflows/metrics.ts, workers/operation-census.ts) or the SDK's poller gauge,
// which test/workflows/metrics.test.ts scrapes from a real worker.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from '../../lab/ceph/helm';
import { REPO_ROOT } from '../../scripts/stack';

const CHART = join(REPO_ROOT, 'deploy/chart/steward');

async function render(...sets: string[]) {
  const args = ['template', 'steward', CHART, '-n', 'ops', ...sets.flatMap((s) => ['--set', s])];
  const { stdout } = await promisify(execFile)(helmBinary(), args, { encoding: 'utf8' });
  return parseAllDocuments(stdout).map((d) => d.toJSON());
}

/** The metric names an expression reads; throws where PromQL's grammar finds an error. */
function metricsRead(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) throw new Error(`not PromQL at ${node.from}: ${expr}`);
      const name = node.name === 'VectorSelector' ? node.node.getChild('Identifier') : null;
      if (name) names.push(expr.slice(name.from, name.to));
    },
  });
  return names;
}

/** What Steward names in its sources, histograms with their series' suffixes. */
const EMITTED = new Set([
  ...['workflows/metrics.ts', 'workers/operation-census.ts'].flatMap((file) =>
    [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/'(steward_[a-z_]+)'/g)].flatMap(
      ([, name]) => [name, `${name}_bucket`, `${name}_count`, `${name}_sum`],
    ),
  ),
  'temporal_num_pollers',
]);

describe('the chart: alerts and dashboard', () => {
  it('renders neither unless asked (both need components the cluster may lack)', async () => {
    const kinds = (await render()).map((d) => d?.kind);
    assert.ok(!kinds.includes('PrometheusRule'));
    assert.equal(kinds.filter((k) => k === 'ConfigMap').length, 1, 'only the worker config');
  });

  it('the PrometheusRule: four alerts on metrics Steward emits, scoped to the release job', async () => {
    const docs = await render(
      'metrics.prometheusRule.enabled=true,metrics.prometheusRule.operatorWaitMinutes=90',
    );
    const rule = docs.find((d) => d?.kind === 'PrometheusRule')!;
    assert.equal(rule.metadata.namespace, 'ops');
    const rules = rule.spec.groups.flatMap((g: { rules: unknown[] }) => g.rules);
    assert.deepEqual(
      rules.map((r: { alert: string }) => r.alert),
      [
        'StewardOperatorWaitTooLong',
        'StewardPartitionSuspected',
        'StewardLeaseHeldTooLong',
        'StewardNoWorkerPolling',
      ],
    );
    for (const r of rules) {
      const read = metricsRead(r.expr);
      assert.ok(read.length > 0, r.expr);
      for (const name of read) assert.ok(EMITTED.has(name), `${r.alert} reads ${name}`);
      assert.match(r.expr, /job="steward"/, `${r.alert} is scoped to the release`);
      assert.match(r.labels.severity, /^(warning|critical)$/);
      assert.ok(r.annotations.summary);
    }
    assert.match(rules[0].expr, /phase="waiting-for-operator"\}\) > 5400$/, 'the value set');
    assert.match(rules[1].expr, /phase="partition-suspected"/);
    assert.equal(rules[3].for, '5m');
  });

  it('the dashboard: a ConfigMap for the sidecar, every panel on metrics Steward emits', async () => {
    const docs = await render('metrics.grafanaDashboard.enabled=true');
    const map = docs.find(
      (d) => d?.kind === 'ConfigMap' && d.metadata.name === 'steward-dashboard',
    );
    assert.equal(map.metadata.labels.grafana_dashboard, '1');
    const dashboard = JSON.parse(map.data['steward.json']);
    const targets = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets);
    assert.ok(targets.length >= 8);
    for (const { expr } of targets) {
      for (const name of metricsRead(expr)) assert.ok(EMITTED.has(name), `panel reads ${name}`);
    }
  });

  it('the expression check fails on what is not PromQL or not emitted', () => {
    assert.throws(() => metricsRead('max by (cluster (steward_operations)'), /not PromQL/);
    assert.ok(!EMITTED.has(metricsRead('steward_operation_running{job="steward"}')[0]));
  });
});
