// nodeReinstall: a bare-metal host reinstalled through its BMC and PXE. The BMC credentials'
// Vault references resolve (Vault refusing them waits for an operator before any change) →
// NetBox marks it staged → on a Nova hypervisor (`novaRegion`), its compute service disabled and
// its instances migrated away (./reinstall-hypervisor.ts) → drain (child; a host without a
// Kubernetes node skips it) → the BMC found (NetBox's OOB IP, else the DDNS name of its serial)
// and proven to be this host's (FRU serial) → base script published → power off → boot device
// PXE (read back) → power on (each driven to a state and verified, so a retry never sends a
// command twice) → the node back with a new boot ID and Ready → a hypervisor's nova-compute
// reporting again → uncordon (only if Steward cordoned) → the compute service enabled (only if
// Steward disabled it) → NetBox active. A failed step marks the device failed in NetBox, leaves
// the host as it is and waits for an operator (retry / abort).
import { ActivityFailure, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  invalidInput,
  isRunOf,
  nodeReinstallStatusQuery,
  workflowIds,
  type NodeReinstallInput,
  type NodeReinstallResult,
  type NodeReinstallStatus,
  type ReinstallStep,
} from './api';
import { activityProblem, isInvalidInput, surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { locateBmc, readDevice } from './reinstall-reads';
import { heartbeating, kubernetes } from './operation/activity-profiles';
import { drainForMaintenance } from './maintenance-drain';
import { OperatorGate } from './operation/operator-gate';
import { hostCalls as act } from './operation/activity-profiles';
import { HypervisorReinstall, type ReinstallStepRun } from './reinstall-hypervisor';
import { chooseDeployment, deploymentFields, parseReinstallInput } from './policy/reinstall-input';
import { announce, showPhase } from './operation/visibility';
import { untilWindowOpens } from './window-wait';

/** NetBox's status while Steward reinstalls a device. */
const REINSTALLING_STATUS = 'staged';

export function nodeReinstall(rawInput: NodeReinstallInput): Promise<NodeReinstallResult> {
  return withClusterLease((lease) => reinstall(rawInput, lease));
}

async function reinstall(
  rawInput: NodeReinstallInput,
  lease: ClusterLease,
): Promise<NodeReinstallResult> {
  const input = parseReinstallInput(rawInput);
  const { cluster, node } = input;
  const workflowId = workflowIds.reinstall(node);
  if (!isRunOf(workflowInfo().workflowId, workflowId)) {
    throw invalidInput(
      'workflowId',
      `must be "${workflowId}" (or a Schedule's run of it) so that one reinstall runs per host`,
    );
  }
  const waitRejoin = heartbeating(input.rejoinTimeoutSeconds);

  const gate = new OperatorGate();
  const status: NodeReinstallStatus = {
    node,
    cluster,
    step: 'validating',
    ...(input.novaRegion && { novaRegion: input.novaRegion }),
    cordonedBySteward: false,
    log: [],
    decisions: gate.decisions,
  };
  const snapshot = (): NodeReinstallStatus => ({ ...status, waitingReason: gate.reason });
  setHandler(nodeReinstallStatusQuery, snapshot);
  announce('reinstall', cluster, node);
  const show = () =>
    showPhase(
      gate.reason
        ? 'waiting-for-operator'
        : status.waitingForWindow
          ? 'waiting-for-window'
          : status.step,
      [
        `**Reinstall ${node}** (${status.deployment ?? 'deployment not chosen yet'}): ${status.step}`,
        ...status.log.map((l) => `- ${l}`),
        status.waitingForWindow
          ? `Waiting for the maintenance window: ${status.waitingForWindow}`
          : '',
        gate.reason
          ? `Waiting for an operator: ${gate.reason}\n\`steward decide ${workflowInfo().workflowId} retry|abort\``
          : '',
      ].join('\n'),
    );
  show();

  const journal = (kind: 'info' | 'success' | 'danger', comments: string) =>
    act.addJournalEntry({ device: node, kind, comments: `${comments}\n(Steward ${workflowId})` });

  // Everything is read and checked before the first change.
  const device = await readDevice(node);
  const { deployment, customScript } = chooseDeployment(input, deploymentFields(device));
  status.deployment = deployment;
  status.customScript = customScript;
  await surfaceInvalidInput(act.checkBaseScript({ host: node, deployment, customScript }));
  const nodeFacts = await kubernetes.describeNode({ cluster, node }).catch((err: unknown) => {
    if (isInvalidInput(err)) return undefined;
    throw err;
  });
  status.kubernetesNode = nodeFacts !== undefined;
  const hypervisor =
    input.novaRegion === undefined
      ? undefined
      : new HypervisorReinstall({
          region: input.novaRegion,
          node,
          workflowId,
          migrationConcurrency: input.migrationConcurrency,
          rejoinTimeoutSeconds: input.rejoinTimeoutSeconds,
          status,
          done: (line) => done(line),
        });
  await hypervisor?.check();
  const bmcTarget = { device: node, serial: device.serial, credentials: input.bmcCredentials };
  let bmcAddress = '';
  const bmcOf = () => ({ ...bmcTarget, address: bmcAddress });
  /** The node's boot ID before Steward's power-off; the rejoined node reports another. */
  let bootId: string | undefined;

  /** Sets the device's status with a journal entry, best effort (NetBox may be what failed). */
  async function tellNetbox(
    netboxStatus: string,
    kind: 'info' | 'danger',
    comments: string,
  ): Promise<string> {
    try {
      await act.updateDevice({ device: node, status: netboxStatus });
      await journal(kind, comments);
      return '';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return `; NetBox not updated: ${err.cause?.message ?? err.message}`;
    }
  }

  /** Whether a step that changes something has begun; before that, NetBox is left as it was. */
  let changing = false;

  /** Runs a step until it reports no problem, asking the operator after each; false when aborted. */
  async function step(
    name: ReinstallStep,
    run: () => Promise<string | undefined>,
  ): Promise<boolean> {
    status.step = name;
    changing ||= name !== 'credentials'; // the one step that only checks
    for (;;) {
      show();
      const problem = await run().catch(activityProblem);
      if (problem === undefined) return true;
      const netbox = changing
        ? await tellNetbox('failed', 'danger', `Reinstall failed at ${name}: ${problem}`)
        : '; nothing changed yet';
      const cordoned = status.cordonedBySteward ? `; cordoned: ${node}` : '';
      const waiting = gate.wait(`${name}: ${problem}${cordoned}${netbox}`, ['retry', 'abort']);
      show();
      const { decision, note } = await waiting;
      if (decision === 'abort') return false;
      if (!changing) continue;
      await tellNetbox(
        REINSTALLING_STATUS,
        'info',
        `Operator decided ${decision} at ${name}${note ? `: ${note}` : ''}`,
      );
    }
  }

  const done = (line: string) => {
    status.log.push(line);
    return undefined;
  };

  // Vault is asked before anything changes, so that credentials it will not give (a refused
  // login, a reference to no secret) never leave a drained node behind.
  const checkCredentials: ReinstallStepRun = [
    'credentials',
    async () => {
      const checked = await Promise.all(
        (['username', 'password'] as const).map((key) =>
          surfaceInvalidInput(
            act.checkSecret({ ref: input.bmcCredentials[key], field: `bmcCredentials.${key}` }),
          ),
        ),
      );
      return done(
        `BMC credentials in Vault: ${checked.map((c) => `${c.path}#${c.key} (version ${c.version})`).join(', ')}`,
      );
    },
  ];
  const steps: ReinstallStepRun[] = [
    ...(patched('bmc-credentials-checked-first') ? [checkCredentials] : []),
    [
      'netbox-reinstalling',
      async () => {
        await act.updateDevice({ device: node, status: REINSTALLING_STATUS });
        await journal(
          'info',
          `Reinstall started: deployment ${deployment}${customScript ? ` (${customScript})` : ''}`,
        );
        return done(`NetBox: ${node} ${REINSTALLING_STATUS}`);
      },
    ],
    ...(hypervisor?.emptying ?? []),
    [
      'drain',
      async () => {
        if (!status.kubernetesNode)
          return done(`no Kubernetes node ${node} in ${cluster}: no drain`);
        const drained = await drainForMaintenance(cluster, node, input.drainTimeoutSeconds);
        if ('failed' in drained) return drained.failed;
        status.cordonedBySteward = drained.cordonedBySteward;
        if (drained.outcome === 'aborted') return `drain aborted: ${drained.message}`;
        return done(drained.message);
      },
    ],
    [
      'bmc',
      async () => {
        const located = await locateBmc(device);
        bmcAddress = located.address;
        status.bmc = located.label;
        const identity = await act.bmcVerifyIdentity({
          bmc: { ...bmcTarget, address: bmcAddress },
        });
        return done(
          `${identity.bmc} is ${node}'s BMC (serial ${identity.serial}), power ${identity.power}`,
        );
      },
    ],
    [
      'publish-script',
      async () => {
        const published = await act.publishBaseScript({ host: node, deployment, customScript });
        return done(
          `base script (${deployment}, ${published.bytes} bytes, sha256 ${published.sha256.slice(0, 12)}) at ${published.url}`,
        );
      },
    ],
    [
      'power-off',
      async () => {
        if (status.kubernetesNode && bootId === undefined) {
          bootId = (await kubernetes.describeNode({ cluster, node })).bootId;
        }
        return done((await act.bmcPowerOff({ bmc: bmcOf() })).message);
      },
    ],
    [
      'power-on',
      async () => {
        await hypervisor?.recordHeartbeat();
        return done((await act.bmcPxeBoot({ bmc: bmcOf() })).message);
      },
    ],
    [
      'rejoin',
      async () => {
        if (!status.kubernetesNode) return done('no Kubernetes node to wait for');
        const { reached, last } = await waitRejoin.awaitNodeRejoined({
          cluster,
          node,
          bootId: bootId ?? '',
          deadlineMs: Date.now() + input.rejoinTimeoutSeconds * 1000,
        });
        if (!reached) {
          return `${node} not back within ${input.rejoinTimeoutSeconds}s (Ready ${last.ready}, boot ID ${last.bootId === bootId ? 'unchanged' : 'new'})`;
        }
        return done(`${node} rejoined: Ready, new boot ID ${last.bootId}`);
      },
    ],
    ...(hypervisor ? [hypervisor.rejoin] : []),
    [
      'uncordon',
      async () => {
        if (!status.cordonedBySteward) return done('not cordoned by Steward: left as it was');
        const result = await kubernetes.uncordonNode({ cluster, node, force: false });
        return result.uncordoned ? done(result.message) : result.message;
      },
    ],
    ...(hypervisor ? [hypervisor.enable] : []),
    [
      'netbox-active',
      async () => {
        await act.updateDevice({ device: node, status: 'active' });
        await journal('success', `Reinstalled with deployment ${deployment}; back in service`);
        return done(`NetBox: ${node} active`);
      },
    ],
  ];

  // As the upgrades do, the lease is held while the window is awaited: the node is promised.
  await lease.take(cluster, 'node-reinstall', [node]);
  // Every step, the credentials' check included, runs inside the window; the reads above do not wait.
  await untilWindowOpens(input.window, (waiting) => {
    status.waitingForWindow = waiting;
    show();
  });
  for (const [name, run] of steps) {
    if (!(await step(name, run))) {
      show();
      return {
        ...snapshot(),
        outcome: 'aborted',
        message: changing
          ? `reinstall of ${node} aborted by an operator at ${name}; NetBox says failed${status.cordonedBySteward ? `; ${node} stays cordoned` : ''}${status.computeDisabledBySteward ? `; its nova-compute stays disabled` : ''}`
          : `reinstall of ${node} aborted by an operator at ${name}, before any change`,
      };
    }
  }
  status.step = 'done';
  show();
  return {
    ...snapshot(),
    outcome: 'reinstalled',
    message: `${node} reinstalled (${deployment}) and back in service`,
  };
}
