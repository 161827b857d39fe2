// nodeReinstall: a bare-metal host reinstalled through its BMC and PXE, one run per host, its node
// held in the cluster lease. Nothing changes before every read passes; the host is powered off
// only when found empty right before (./reinstall-power-off.ts) or with exactly the pods an
// operator approved; a failed step marks NetBox failed and waits, leaving the host as it is.
import { ActivityFailure } from '@temporalio/workflow';
import type { DeviceFacts } from '../activities/netbox/devices';
import {
  nodeReinstallStatusQuery,
  workflowIds,
  type DecideRequest,
  type NodeReinstallInput,
  type NodeReinstallResult,
  type NodeReinstallStatus,
  type OperatorDecision,
  type PodRef,
  type ReinstallStep,
} from './api';
import { isInvalidInput, surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { drainForMaintenance } from './maintenance-drain';
import { cordonOwner } from './node-drain';
import {
  heartbeating,
  hostCalls as act,
  kubernetes,
  summarized,
} from './operation/activity-profiles';
import { Operation, type Step, type StepOptions } from './operation/operation';
import { requireWorkflowId } from './operation/workflow-id';
import {
  chooseDeployment,
  deploymentFields,
  parseReinstallInput,
  type ReinstallRequest,
} from './policy/reinstall-input';
import { HypervisorReinstall, type ReinstallStepRun } from './reinstall-hypervisor';
import { checkPowerOff, podsOnNode, type PowerOffTarget } from './reinstall-power-off';
import { locateBmc, readDevice } from './bare-metal-reads';

/** NetBox's status while Steward reinstalls a device. */
const REINSTALLING_STATUS = 'staged';
const DECISIONS: OperatorDecision[] = ['retry', 'abort'];

export function nodeReinstall(rawInput: NodeReinstallInput): Promise<NodeReinstallResult> {
  return withClusterLease((lease) => reinstall(rawInput, lease));
}

async function reinstall(
  rawInput: NodeReinstallInput,
  lease: ClusterLease,
): Promise<NodeReinstallResult> {
  const input = parseReinstallInput(rawInput);
  requireWorkflowId(workflowIds.reinstall(input.node), 'one reinstall runs per host', {
    schedules: true,
  });
  const r = new Reinstall(input);
  // Everything is read and checked before the lease, the window and the first change.
  if ((await r.op.runStep('validating', () => r.validate(), r.options('validating'))) !== 'done')
    return r.result('aborted');
  // As the upgrades do, the lease is held while the window is awaited: the node is promised.
  await lease.take(input.cluster, 'node-reinstall', [input.node]);
  await r.op.untilWindowOpens(input.window);
  const { end } = await r.op.runSteps(r.steps());
  return r.result(end === 'done' ? 'reinstalled' : 'aborted');
}

class Reinstall {
  readonly op: Operation<NodeReinstallStatus>;
  private readonly status: NodeReinstallStatus;
  private readonly node: string;
  private readonly workflowId: string;
  private readonly hypervisor?: HypervisorReinstall;
  private readonly powerOffTarget: PowerOffTarget;
  private device?: DeviceFacts;
  private bmcAddress = '';
  /** The node's boot ID before Steward's power-off; the rejoined node reports another. */
  private bootId?: string;
  /** Whether a step that changes something has begun; before that, NetBox is left as it was. */
  private changing = false;
  /** The pods the last power-off question named: what an operator's `approve` approves. */
  private askedPods: PodRef[] = [];
  /** Pod UIDs an operator approved powering off with. */
  private readonly approvedPods = new Set<string>();

  constructor(private readonly input: ReinstallRequest) {
    const { cluster, node } = input;
    this.node = node;
    this.workflowId = workflowIds.reinstall(node);
    this.status = {
      node,
      cluster,
      step: 'validating',
      ...(input.novaRegion && { novaRegion: input.novaRegion }),
      cordonedBySteward: false,
      log: [],
      decisions: [],
    };
    this.op = new Operation(this.status, {
      kind: 'reinstall',
      cluster,
      target: node,
      query: nodeReinstallStatusQuery,
      title: () =>
        `**Reinstall ${node}** (${this.status.deployment ?? 'deployment not chosen yet'}): ${this.status.step}`,
      details: () => this.status.log.map((l) => `- ${l}`),
      onStep: (name) => {
        this.status.step = name as ReinstallStep;
        this.changing ||= name !== 'validating' && name !== 'credentials';
      },
    });
    this.powerOffTarget = {
      reinstall: this.workflowId,
      cluster,
      node,
      kubernetesNode: false,
      novaRegion: input.novaRegion,
      osds: new Set(),
      approvedPods: this.approvedPods,
    };
    if (input.novaRegion !== undefined)
      this.hypervisor = new HypervisorReinstall({
        region: input.novaRegion,
        node,
        workflowId: this.workflowId,
        migrationConcurrency: input.migrationConcurrency,
        rejoinTimeoutSeconds: input.rejoinTimeoutSeconds,
        status: this.status,
        done: (line) => this.op.done(line),
      });
  }

  /** The steps after the checks, in order; a hypervisor's own steps around the drain and rejoin. */
  steps(): Step[] {
    const h = this.hypervisor;
    const table: ReinstallStepRun[] = [
      ['credentials', () => this.checkCredentials()],
      ['netbox-reinstalling', () => this.markReinstalling()],
      ...(h ? h.emptying : []),
      ['drain', () => this.drain()],
      ['bmc', () => this.findBmc()],
      ['publish-script', () => this.publishScript()],
      ['power-off', () => this.powerOff()],
      ['power-on', () => this.powerOn()],
      ['rejoin', () => this.awaitRejoin()],
      ...(h ? [h.rejoin] : []),
      ['uncordon', () => this.uncordon()],
      ...(h ? [h.enable] : []),
      ['netbox-active', () => this.markActive()],
    ];
    return table.map(([name, run]) => ({ name, run, options: this.options(name) }));
  }

  /** Every step: retry or abort; the power-off also `approve`, checked right before it acts. */
  options(name: ReinstallStep): StepOptions {
    const common: StepOptions = {
      decisions: DECISIONS,
      onProblem: (problem) => this.onProblem(name, problem),
      onRetry: (request) => this.onRetry(name, request),
    };
    if (name !== 'power-off') return common;
    return {
      ...common,
      decisions: ['retry', 'approve', 'abort'],
      recheck: () => this.checkEmpty(),
    };
  }

  result(outcome: NodeReinstallResult['outcome']): NodeReinstallResult {
    const { node, status } = this;
    if (outcome === 'reinstalled') status.step = 'done';
    this.op.show();
    const left = `${status.cordonedBySteward ? `; ${node} stays cordoned` : ''}${status.computeDisabledBySteward ? '; its nova-compute stays disabled' : ''}`;
    const message =
      outcome === 'reinstalled'
        ? `${node} reinstalled (${status.deployment}) and back in service`
        : this.changing
          ? `reinstall of ${node} aborted by an operator at ${status.step}; NetBox says failed${left}`
          : `reinstall of ${node} aborted by an operator at ${status.step}, before any change`;
    return { ...this.op.snapshot(), outcome, message };
  }

  async validate(): Promise<undefined> {
    const { input, node, status } = this;
    const device = await readDevice(node);
    const { deployment, customScript } = chooseDeployment(input, deploymentFields(device));
    status.deployment = deployment;
    status.customScript = customScript;
    await surfaceInvalidInput(act.checkBaseScript({ host: node, deployment, customScript }));
    const nodeFacts = await kubernetes
      .describeNode({ cluster: input.cluster, node })
      .catch((err: unknown) => {
        if (isInvalidInput(err)) return undefined;
        throw err;
      });
    status.kubernetesNode = this.powerOffTarget.kubernetesNode = nodeFacts !== undefined;
    await this.hypervisor?.check();
    this.device = device;
    return undefined;
  }

  /** Sets the device's status with a journal entry, best effort (NetBox may be what failed). */
  private async tellNetbox(
    netboxStatus: string,
    kind: 'info' | 'danger',
    comments: string,
  ): Promise<string> {
    try {
      await act.updateDevice({ device: this.node, status: netboxStatus });
      await this.journal(kind, comments);
      return '';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return `; NetBox not updated: ${err.cause?.message ?? err.message}`;
    }
  }

  private journal(kind: 'info' | 'success' | 'danger', comments: string) {
    return act.addJournalEntry({
      device: this.node,
      kind,
      comments: `${comments}\n(Steward ${this.workflowId})`,
    });
  }

  private async onProblem(name: ReinstallStep, problem: string): Promise<string> {
    const cordoned = this.status.cordonedBySteward ? `; cordoned: ${this.node}` : '';
    const netbox = this.changing
      ? await this.tellNetbox('failed', 'danger', `Reinstall failed at ${name}: ${problem}`)
      : '; nothing changed yet';
    return cordoned + netbox;
  }

  private async onRetry(name: ReinstallStep, { decision, note }: DecideRequest): Promise<void> {
    // `approve` answers only a question that named pods; to any other problem it is a retry.
    const approved = decision === 'approve' ? this.askedPods : [];
    for (const p of approved) this.approvedPods.add(p.uid);
    if (!this.changing) return;
    const what =
      approved.length > 0
        ? `approved powering off with ${approved.map((p) => `${p.namespace}/${p.name}`).join(', ')}`
        : `decided ${decision}`;
    await this.tellNetbox(
      REINSTALLING_STATUS,
      'info',
      `Operator ${what} at ${name}${note ? `: ${note}` : ''}`,
    );
  }

  // Vault is asked before anything changes, so that credentials it will not give (a refused
  // login, a reference to no secret) never leave a drained node behind.
  private async checkCredentials(): Promise<undefined> {
    const { bmcCredentials } = this.input;
    const checked = await Promise.all(
      (['username', 'password'] as const).map((key) =>
        surfaceInvalidInput(
          act.checkSecret({ ref: bmcCredentials[key], field: `bmcCredentials.${key}` }),
        ),
      ),
    );
    return this.op.done(
      `BMC credentials in Vault: ${checked.map((c) => `${c.path}#${c.key} (version ${c.version})`).join(', ')}`,
    );
  }

  private async markReinstalling(): Promise<undefined> {
    const { deployment, customScript } = this.status;
    await act.updateDevice({ device: this.node, status: REINSTALLING_STATUS });
    await this.journal(
      'info',
      `Reinstall started: deployment ${deployment}${customScript ? ` (${customScript})` : ''}`,
    );
    return this.op.done(`NetBox: ${this.node} ${REINSTALLING_STATUS}`);
  }

  private async drain(): Promise<string | undefined> {
    const { input, node, status } = this;
    if (!status.kubernetesNode)
      return this.op.done(`no Kubernetes node ${node} in ${input.cluster}: no drain`);
    await podsOnNode(this.powerOffTarget); // its Ceph OSDs, known before the drain evicts them
    const drained = await drainForMaintenance(input.cluster, node, input.drainTimeoutSeconds);
    if ('failed' in drained) return drained.failed;
    status.cordonedBySteward = drained.cordonedBySteward;
    if (drained.outcome === 'aborted') return `drain aborted: ${drained.message}`;
    return this.op.done(drained.message);
  }

  private async findBmc(): Promise<undefined> {
    const located = await locateBmc(this.device!);
    this.bmcAddress = located.address;
    this.status.bmc = located.label;
    const identity = await act.bmcVerifyIdentity({ bmc: this.bmc() });
    return this.op.done(
      `${identity.bmc} is ${this.node}'s BMC (serial ${identity.serial}), power ${identity.power}`,
    );
  }

  private bmc() {
    const { node, device, input, bmcAddress } = this;
    return {
      device: node,
      serial: device!.serial,
      credentials: input.bmcCredentials,
      address: bmcAddress,
    };
  }

  private async publishScript(): Promise<undefined> {
    const { deployment, customScript } = this.status;
    const published = await act.publishBaseScript({
      host: this.node,
      deployment: deployment!,
      customScript,
    });
    return this.op.done(
      `base script (${deployment}, ${published.bytes} bytes, sha256 ${published.sha256.slice(0, 12)}) at ${published.url}`,
    );
  }

  /** The power-off's check, on every attempt right before it: no pods, instances or OSDs to lose. */
  private async checkEmpty(): Promise<string | undefined> {
    const verdict = await checkPowerOff(this.powerOffTarget);
    if (verdict.go) return undefined;
    this.askedPods = verdict.approvable ? verdict.pods : [];
    return verdict.problem;
  }

  private async powerOff(): Promise<undefined> {
    const { input, node } = this;
    if (this.status.kubernetesNode && this.bootId === undefined)
      this.bootId = (await kubernetes.describeNode({ cluster: input.cluster, node })).bootId;
    const off = await summarized(act.bmcPowerOff, `power off ${node} via its BMC`, {
      bmc: this.bmc(),
    });
    return this.op.done(off.message);
  }

  private async powerOn(): Promise<undefined> {
    await this.hypervisor?.recordHeartbeat();
    const boot = await summarized(act.bmcPxeBoot, `PXE boot ${this.node}`, { bmc: this.bmc() });
    return this.op.done(boot.message);
  }

  private async awaitRejoin(): Promise<string | undefined> {
    const { input, node, bootId } = this;
    if (!this.status.kubernetesNode) return this.op.done('no Kubernetes node to wait for');
    const { reached, last } = await heartbeating(input.rejoinTimeoutSeconds).awaitNodeRejoined({
      cluster: input.cluster,
      node,
      bootId: bootId ?? '',
      deadlineMs: Date.now() + input.rejoinTimeoutSeconds * 1000,
    });
    if (!reached)
      return `${node} not back within ${input.rejoinTimeoutSeconds}s (Ready ${last.ready}, boot ID ${last.bootId === bootId ? 'unchanged' : 'new'})`;
    return this.op.done(`${node} rejoined: Ready, new boot ID ${last.bootId}`);
  }

  private async uncordon(): Promise<string | undefined> {
    if (!this.status.cordonedBySteward)
      return this.op.done('not cordoned by Steward: left as it was');
    const { cluster, node } = this.input;
    const result = await kubernetes.uncordonNode({ cluster, node, owner: cordonOwner() });
    return result.uncordoned ? this.op.done(result.message) : result.message;
  }

  private async markActive(): Promise<undefined> {
    await act.updateDevice({ device: this.node, status: 'active' });
    await this.journal(
      'success',
      `Reinstalled with deployment ${this.status.deployment}; back in service`,
    );
    return this.op.done(`NetBox: ${this.node} active`);
  }
}
