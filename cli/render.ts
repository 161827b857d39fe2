// Human-readable text for plans, progress and results.
import type {
  HypervisorEvictionPlan,
  HypervisorEvictionStatus,
  HypervisorEvictionWatchStatus,
  CephHealthReport,
  ClusterGuardStatus,
  DrainNodeResult,
  DrainPlan,
  DrainStatus,
  KubernetesUpgradeStatus,
  NodeReinstallStatus,
  PodVerdict,
  ReinstallPlan,
  RookCephUpgradePlan,
  RookCephUpgradeStatus,
  UpgradePlan,
} from '../workflows/api';
import type { RookCephChange } from '../workflows/policy/rook-upgrade';
import { describeAddonStep } from '../workflows/policy/addon-description';
import { describeLease } from '../workflows/policy/cluster-leases';
import {
  describeInstant,
  describeWindow,
  insideWindow,
  nextOpening,
  type MaintenanceWindows,
} from '../workflows/policy/maintenance-window';

const pod = (v: { pod: { namespace: string; name: string } }) => `${v.pod.namespace}/${v.pod.name}`;
const verdicts = (title: string, list: PodVerdict[]) =>
  list.length === 0
    ? []
    : [`${title} (${list.length}):`, ...list.map((v) => `  ${pod(v)}: ${v.reason}`)];

export function renderPlan(plan: DrainPlan): string {
  return [
    `Drain plan for ${plan.cluster}/${plan.node} (nothing changed)${plan.alreadyCordoned ? '; the node is already cordoned' : ''}`,
    ...verdicts('evict', plan.evict),
    ...verdicts('skip', plan.skip),
    ...verdicts('refuse', plan.refuse),
    plan.refuse.length > 0
      ? 'The drain would be refused until the pods above are allowed (--force, --delete-emptydir-data) or gone.'
      : `The drain would evict ${plan.evict.length} pods.`,
  ].join('\n');
}

export function renderDrainStatus(status: DrainStatus): string {
  const lines = [
    `${status.cluster}/${status.node}: ${status.phase}; evicted ${status.evicted.length}, left ${status.left.length}; ` +
      (status.cordonedBySteward ? 'cordoned by Steward' : 'not cordoned by Steward'),
  ];
  if (status.waitingReason) lines.push(`waiting for an operator: ${status.waitingReason}`);
  for (const left of status.left.slice(0, 20)) lines.push(`  ${pod(left)}: ${left.blocker}`);
  if (status.left.length > 20) lines.push(`  … and ${status.left.length - 20} more`);
  return lines.join('\n');
}

export function renderDrainResult(result: DrainNodeResult): string {
  return `${renderDrainStatus(result)}\n${result.message}`;
}

export function renderUpgradePlan(plan: UpgradePlan): string {
  const lines = [
    `Kubernetes upgrade plan for ${plan.cluster} (nothing changed); control plane at ${plan.controlPlaneVersion}`,
  ];
  if (plan.steps.length === 0) lines.push('Already at the target: nothing to do.');
  for (const step of plan.steps) {
    lines.push(`step to ${step.version}:`);
    lines.push(`  control plane, one at a time: ${plan.controlPlaneOrder.join(' → ') || 'none'}`);
    plan.workerBatches.forEach((batch, i) =>
      lines.push(`  workers, batch ${i + 1}: ${batch.join(', ')}`),
    );
    if (plan.workersWaitFor) lines.push(`  workers waiting for: ${plan.workersWaitFor}`);
    if (plan.excluded.length > 0) lines.push(`  workers left out: ${plan.excluded.join(', ')}`);
    for (const addon of step.addons) lines.push(`  add-on: ${describeAddonStep(addon)}`);
  }
  lines.push(
    `At most ${plan.maxUnavailable} worker(s) unavailable at once, counting NotReady ones; the first batch starts together, then each next worker as soon as one finishes (a rolling window), in this order.`,
  );
  if (plan.approvalPoints.length > 0) {
    lines.push(
      `Waits for \`steward decide k8s-upgrade/${plan.cluster} approve\` ${plan.approvalPoints.join(', ')}.`,
    );
  }
  return lines.join('\n');
}

export function renderUpgradeStatus(st: KubernetesUpgradeStatus): string {
  const lines = [
    `${st.cluster}: ${st.phase}${st.version ? ` (step ${st.version})` : ''}; in flight ${st.inFlight.join(', ') || 'none'}; upgraded ${st.upgraded.length}, skipped ${st.skipped.length}`,
  ];
  if (st.skipped.length > 0) lines.push(`skipped: ${st.skipped.join(', ')}`);
  if (st.leftCordoned.length > 0) lines.push(`left cordoned: ${st.leftCordoned.join(', ')}`);
  if (st.blockedBy) lines.push(`waiting for the cluster: ${st.blockedBy}`);
  if (st.waitingForWindow) lines.push(`waiting for the maintenance window: ${st.waitingForWindow}`);
  if (st.excluded.length > 0)
    lines.push(`left out by the node selectors: ${st.excluded.join(', ')}`);
  for (const a of st.addonsApplied) lines.push(`add-on applied: ${a}`);
  for (const a of st.addonsSkipped) lines.push(`add-on skipped: ${a}`);
  for (const w of st.waiting) {
    lines.push(`waiting for an operator: ${w.workflowId}: ${w.reason}`);
    lines.push(`  steward decide ${w.workflowId} ${(w.decisions ?? []).join('|')}`);
  }
  return lines.join('\n');
}

/** Whether a window is open at `now`, and if not when it opens, for a plan printed now. */
export function renderWindowNow(window: MaintenanceWindows, now: number): string {
  const several = Array.isArray(window) && window.length > 1;
  const bound = `Nodes start only in the maintenance window${several ? 's' : ''} ${describeWindow(window)}`;
  if (insideWindow(window, now)) return `${bound}; ${several ? 'one' : 'it'} is open now.`;
  const next = nextOpening(window, now);
  const opens = describeInstant(next.window, next.at);
  return several
    ? `${bound}; they are closed now and the next to open is ${describeWindow(next.window)}, at ${opens}.`
    : `${bound}; it is closed now and opens at ${opens}.`;
}

export function renderReinstallPlan(plan: ReinstallPlan): string {
  return [
    `Reinstall plan for ${plan.node} (nothing changed)`,
    `  NetBox status     ${plan.netboxStatus}`,
    `  deployment        ${plan.deployment}${plan.customScript ? ` (${plan.customScript})` : ''}: ${plan.script.bytes} bytes, sha256 ${plan.script.sha256.slice(0, 12)}`,
    `  Kubernetes node   ${plan.kubernetesNode ? `yes, in ${plan.cluster}: drained first, waited for after` : `no node in ${plan.cluster}: no drain`}`,
    `  BMC               ${plan.bmc}: serial ${plan.bmcSerial} matches NetBox, power ${plan.power}`,
    ...(plan.hypervisor ? renderEmptyingPlan(plan.hypervisor) : []),
  ].join('\n');
}

function renderEmptyingPlan({
  region,
  service,
  instances,
}: NonNullable<ReinstallPlan['hypervisor']>) {
  return [
    `  Nova (${region})     ${service}: disabled and emptied first; enabled again after, unless a person had disabled it`,
    ...(instances.length === 0 ? ['    no instances'] : []),
    ...instances.map(
      (i) =>
        `    ${i.name} (${i.status}): ${i.problem ? `CANNOT MOVE: ${i.problem}` : `${i.kind} to ${i.target}`}`,
    ),
  ];
}

export function renderReinstallStatus(st: NodeReinstallStatus): string {
  return [
    `${st.node}: ${st.step}${st.deployment ? ` (deployment ${st.deployment})` : ''}${st.bmc ? `; BMC ${st.bmc}` : ''}`,
    ...st.log.map((l) => `  ${l}`),
    ...(st.waitingForWindow ? [`waiting for the maintenance window: ${st.waitingForWindow}`] : []),
    ...(st.unavailable ? [`waiting for ${st.unavailable}: retrying`] : []),
    ...(st.waitingReason ? [`waiting for an operator: ${st.waitingReason}`] : []),
  ].join('\n');
}

/** The gate's verdict: PASS or FAIL, what Ceph looks like, and every failing check in Ceph's words. */
export function renderCephHealth(report: CephHealthReport): string {
  const { verdict } = report;
  return [
    `${report.cluster}: health gate ${verdict.pass ? 'PASS' : 'FAIL'}: ${report.summary}`,
    ...verdict.failures.map((f) => `  ${f.check}: ${f.message}`),
    ...(verdict.allowed.length > 0 ? [`  allowed warnings: ${verdict.allowed.join(', ')}`] : []),
  ].join('\n');
}

const change = (what: string, c: RookCephChange | undefined) =>
  c ? [`  ${what.padEnd(6)} ${c.noop ? `${c.to} already: no change` : `${c.from} → ${c.to}`}`] : [];

export function renderRookUpgradePlan(plan: RookCephUpgradePlan): string {
  return [
    `Rook/Ceph upgrade plan for ${plan.cluster} (nothing changed)`,
    ...change('Rook', plan.rook),
    ...change('Ceph', plan.ceph),
    `  Rook rolls, one daemon at a time: ${plan.groups.map((g) => g.daemons.join(', ')).join(' → ')}`,
    `  a health gate before, after each daemon group${plan.rook && plan.ceph ? ' of each roll' : ''}, and after`,
    ...(plan.rookMessage ? [`  Rook says: ${plan.rookMessage}`] : []),
    `Now: ${renderCephHealth(plan.health)}`,
  ].join('\n');
}

export function renderRookUpgradeStatus(st: RookCephUpgradeStatus): string {
  return [
    `${st.cluster}: ${st.phase}${st.current ? ` (${st.current})` : ''}`,
    ...change('Rook', st.rook),
    ...change('Ceph', st.ceph),
    ...st.log.map((l) => `  ${l}`),
    ...(st.waitingForWindow ? [`waiting for the maintenance window: ${st.waitingForWindow}`] : []),
    ...(st.failing.length > 0
      ? ['failing checks:', ...st.failing.map((f) => `  ${f.check}: ${f.message}`)]
      : []),
    ...(st.waitingReason
      ? [
          `waiting for an operator: ${st.waitingReason}`,
          `  steward decide rook-upgrade/${st.cluster} retry|abort`,
        ]
      : []),
  ].join('\n');
}

export function renderEvictionPlan(plan: HypervisorEvictionPlan): string {
  const { service } = plan;
  return [
    `Eviction plan for ${plan.host} in ${plan.region} (nothing changed)`,
    `  Nova              nova-compute ${service.state}, ${service.status}${service.forcedDown ? ', forced down' : ''}: ${plan.wouldEvict ? 'would be evicted' : plan.overThreshold ? 'down, but REFUSED' : 'up, an eviction would leave it alone'}`,
    ...(plan.overThreshold ? [`  threshold         ${plan.overThreshold}`] : []),
    `  BMC               ${plan.bmc}: serial ${plan.bmcSerial} matches NetBox, power ${plan.power}`,
    `  instances         ${plan.instances.length}`,
    ...plan.instances.map(
      (i) => `    ${i.name} (${i.status}) → ${i.target ?? `stays: ${i.reason}`}`,
    ),
  ].join('\n');
}

export function renderEvictionStatus(st: HypervisorEvictionStatus): string {
  const moved = st.instances.filter((i) => i.state === 'moved').length;
  return [
    `${st.host} (${st.region}): ${st.step}${st.fenced ? ', fenced' : ''}${st.bmc ? `; BMC ${st.bmc}` : ''}; ${moved} of ${st.instances.length} instances moved`,
    ...st.log.map((l) => `  ${l}`),
    ...st.instances.map(
      (i) =>
        `  ${i.name}: ${i.state} ${i.from} → ${i.to ?? i.target ?? '?'}${i.seconds !== undefined ? ` in ${i.seconds.toFixed(1)}s` : ''}${i.attempts > 1 ? ` (${i.attempts} attempts)` : ''}${i.reason && i.state !== 'moved' ? `: ${i.reason}` : ''}`,
    ),
    ...(st.waitingReason
      ? [
          `waiting for an operator: ${st.waitingReason}`,
          `  steward decide evict/${st.region}/${st.host} retry|skip|abort`,
        ]
      : []),
  ].join('\n');
}

export function renderEvictionWatchStatus(st: HypervisorEvictionWatchStatus): string {
  return [
    `eviction watch ${st.region}: ${st.hosts} hypervisors, ${st.polls} polls (last ${st.lastPollAt ?? 'none yet'}), threshold ${st.threshold}`,
    ...(st.novaUnreachable ? [`  NOVA UNREACHABLE, evicting nothing: ${st.novaUnreachable}`] : []),
    st.partition ? `  PARTITION SUSPECTED, evicting nothing: ${st.partition}` : '  no partition',
    ...st.recentEvictions.map(
      (e) => `  evicted at ${e.at}: ${e.host} (counts against the threshold)`,
    ),
    ...st.waiting.map((w) => `  in grace: ${w.host} (${w.polls} polls)`),
    ...st.evicting.map((h) => `  evicting: ${h} (steward status evict/${st.region}/${h})`),
  ].join('\n');
}

export function renderGuardStatus(st: ClusterGuardStatus): string {
  const budget = st.maxUnavailableNodes === undefined ? '' : ` of ${st.maxUnavailableNodes}`;
  const lines = [`guard of ${st.cluster}: ${st.unavailable}${budget} nodes may be unavailable`];
  if (st.leases.length === 0) lines.push('  no leases');
  for (const lease of st.leases) lines.push(`  ${describeLease(lease)}`);
  return lines.join('\n');
}
