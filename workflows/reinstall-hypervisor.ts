// A hypervisor's part of a reinstall: before the drain its compute service is disabled and its
// instances moved away, each followed to Nova's end of the move (one that cannot move stops the
// reinstall before the power is touched); after, its nova-compute must report again, and the
// service is enabled only when Steward disabled it.
import type { ComputeService } from '../activities/openstack/nova';
import { type InstanceMovePlan, type NodeReinstallStatus, type ReinstallStep } from './api';
import { activityProblem } from './activity-errors';
import { planTargets, readComputeService } from './hypervisor-eviction-reads';
import {
  followMoves as follow,
  heartbeating,
  hostCalls as act,
} from './operation/activity-profiles';
import {
  disabledBySteward,
  instanceMove,
  reinstallDisableReason,
} from './policy/hypervisor-emptying';

/** A reinstall step: its name and a run that returns a problem, or undefined when done. */
export type ReinstallStepRun = [ReinstallStep, () => Promise<string | undefined>];

/** How each instance on the host would leave it, and where to; or why it cannot. */
export async function planEmptying(region: string, node: string): Promise<InstanceMovePlan[]> {
  const servers = await act.listServersOnHost({ region, host: node });
  const targets = await planTargets(region, node, servers);
  return servers.map((s, n) => {
    const move = instanceMove(s);
    const target = targets[n];
    const base = { id: s.id, name: s.name, status: s.status };
    if ('reason' in move) return { ...base, problem: move.reason };
    if ('reason' in target)
      return { ...base, kind: move.kind, problem: `${s.name}: ${target.reason}` };
    return { ...base, kind: move.kind, target: target.target };
  });
}

export interface HypervisorReinstallOptions {
  region: string;
  node: string;
  workflowId: string;
  migrationConcurrency: number;
  rejoinTimeoutSeconds: number;
  status: NodeReinstallStatus;
  /** Logs a step's outcome and returns undefined (no problem). */
  done: (line: string) => undefined;
}

export class HypervisorReinstall {
  /** The compute service's heartbeat read before the power-on: the old system's last. */
  private lastHeartbeat: string | null = null;

  constructor(private readonly o: HypervisorReinstallOptions) {}

  /** Read before any change: the host must be a compute host of the region (else bad input). */
  check = (): Promise<ComputeService> =>
    readComputeService(this.o.region, this.o.node, 'novaRegion');

  /** Disabled, then emptied: after the NetBox status, before the drain. */
  readonly emptying: ReinstallStepRun[] = [
    ['compute-disable', () => this.disable()],
    ['migrate-instances', () => this.migrateAll()],
  ];

  /** Called in the power-on step, before the power-on. */
  async recordHeartbeat(): Promise<void> {
    this.lastHeartbeat = (await this.check()).updatedAt;
  }

  readonly rejoin: ReinstallStepRun = ['compute-rejoin', () => this.awaitRejoin()];
  readonly enable: ReinstallStepRun = ['compute-enable', () => this.enableAgain()];

  private async disable(): Promise<string | undefined> {
    const { region, node, status, done } = this.o;
    const reason = reinstallDisableReason(this.o.workflowId);
    const service = await this.check();
    if (service.status === 'disabled' && service.disabledReason !== reason) {
      status.computeDisabledBySteward = disabledBySteward(service.disabledReason);
      return done(
        `Nova: ${node}'s nova-compute was disabled already ("${service.disabledReason ?? ''}"): ${status.computeDisabledBySteward ? 'enabled after the reinstall' : 'left disabled after the reinstall'}`,
      );
    }
    await act.setComputeServiceEnabled({ region, host: node, enabled: false, reason });
    status.computeDisabledBySteward = true;
    return done(`Nova: ${node}'s nova-compute disabled ("${reason}")`);
  }

  private async migrateAll(): Promise<string | undefined> {
    const { region, node, done } = this.o;
    const plan = await planEmptying(region, node);
    if (plan.length === 0) return done(`Nova: no instances on ${node}`);
    const problems = plan.flatMap((i) => (i.problem ? [i.problem] : []));
    if (problems.length > 0)
      return `${problems.length} of ${plan.length} instances on ${node} cannot be moved by Steward: ${problems.join('; ')}. Move or fix them, then retry`;

    const moved: string[] = [];
    const failed: string[] = [];
    const queue = [...plan];
    const migrateNext = async (): Promise<void> => {
      for (let i = queue.shift(); i; i = queue.shift()) {
        const kind = i.kind!;
        const ref = { region, serverId: i.id, sourceHost: node };
        try {
          await act.migrateServer({ ...ref, kind, targetHost: i.target });
          const facts = await follow.awaitMigration({ ...ref, kind });
          if (facts.moved) moved.push(`${i.name} → ${facts.server.host} (${kind})`);
          else
            failed.push(
              `${i.name}: ${facts.server.fault ?? `${kind} ${facts.migration?.status ?? 'not started'}, instance ${facts.server.status} on ${facts.server.host ?? 'no host'}`}`,
            );
        } catch (err) {
          failed.push(`${i.name}: ${activityProblem(err)}`);
        }
      }
    };
    const lanes = Math.min(this.o.migrationConcurrency, queue.length);
    await Promise.all(Array.from({ length: lanes }, migrateNext));
    if (moved.length > 0) done(`Nova: moved off ${node}: ${moved.join(', ')}`);
    if (failed.length > 0)
      return `${failed.length} of ${plan.length} instances did not move off ${node}: ${failed.join('; ')}`;
    return undefined;
  }

  private async awaitRejoin(): Promise<string | undefined> {
    const { region, node, rejoinTimeoutSeconds, done } = this.o;
    const waitRejoin = heartbeating(rejoinTimeoutSeconds, 30);
    const { reached, service } = await waitRejoin.awaitComputeRejoined({
      region,
      host: node,
      lastHeartbeat: this.lastHeartbeat,
      deadlineMs: Date.now() + rejoinTimeoutSeconds * 1000,
    });
    if (!reached)
      return `${node}'s nova-compute not reporting within ${rejoinTimeoutSeconds}s (${service.state}${service.forcedDown ? ', forced down' : ''})`;
    return done(`Nova: ${node}'s nova-compute reports again (up)`);
  }

  private async enableAgain(): Promise<string | undefined> {
    const { region, node, status, done } = this.o;
    if (!status.computeDisabledBySteward)
      return done(`Nova: ${node}'s nova-compute left disabled, as it was before Steward`);
    await act.setComputeServiceEnabled({ region, host: node, enabled: true });
    return done(`Nova: ${node}'s nova-compute enabled`);
  }
}
