// Nova activities, each at an explicit microversion (the lab's Zed tops out at 2.93; 2.95 does
// not exist there). Reads return facts; writes read first and do nothing when the goal holds.
// Moving instances (evacuation, live and cold migration) is ./moves.ts. With no capacity an
// evacuate's POST still answers 200, the migration goes to `error` and then the instance to
// ERROR on its host (../shared/notes/nova-lab.md).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { OPENSTACK_FAILURES } from '../../workflows/api';
import { disabledBySteward } from '../../workflows/policy/hypervisor-emptying';
import type { OpenStackClient } from './client';
import { moveActivities, type MoveKind } from './moves';

/** UUID service IDs, `forced_down` and disable reasons through PUT /os-services/{id}. */
export const SERVICES_MICROVERSION = '2.53';
/** Hypervisor UUIDs; `running_vms` is still reported (dropped at 2.88). */
export const HYPERVISORS_MICROVERSION = '2.53';
/** Also the server actions: evacuate and live-migrate without `force` (2.68+). */
export const SERVERS_MICROVERSION = '2.93';
/** Migration UUIDs, newest first, paging. */
export const MIGRATIONS_MICROVERSION = '2.59';
/** Instance actions with `updated_at`, paging. */
export const ACTIONS_MICROVERSION = '2.58';

export interface ComputeService {
  id: string;
  host: string;
  zone: string;
  state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  forcedDown: boolean;
  disabledReason: string | null;
  updatedAt: string | null;
}

export interface Hypervisor {
  id: string;
  hostname: string;
  host: string;
  state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  runningVms: number;
  /** Free vCPUs and RAM as the hypervisor reports them (before overcommit). */
  freeVcpus: number;
  freeRamMb: number;
}

export interface ServerFacts {
  id: string;
  name: string;
  status: string;
  host: string | null;
  taskState: string | null;
  vmState: string | null;
  /** The fault Nova recorded (an ERROR instance): its message. */
  fault?: string;
  /** The flavor's size (embedded in the server since 2.47). */
  vcpus: number;
  ramMb: number;
}

export interface MigrationFacts {
  id: number;
  uuid: string;
  instanceUuid: string;
  type: string;
  status: string;
  sourceCompute: string | null;
  destCompute: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export interface InstanceAction {
  action: string;
  requestId: string;
  startTime: string;
  message: string | null;
}

interface RawService {
  id: string;
  host: string;
  zone: string;
  state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  forced_down: boolean;
  disabled_reason: string | null;
  updated_at: string | null;
}

interface RawServer {
  id: string;
  name: string;
  status: string;
  'OS-EXT-SRV-ATTR:host': string | null;
  'OS-EXT-STS:task_state': string | null;
  'OS-EXT-STS:vm_state': string | null;
  fault?: { message: string };
  flavor: { vcpus: number; ram: number };
}

interface RawMigration {
  id: number;
  uuid: string;
  instance_uuid: string;
  migration_type: string;
  status: string;
  source_compute: string | null;
  dest_compute: string | null;
  created_at: string;
  updated_at: string | null;
}

const serviceFacts = (s: RawService): ComputeService => ({
  id: s.id,
  host: s.host,
  zone: s.zone,
  state: s.state,
  status: s.status,
  forcedDown: s.forced_down,
  disabledReason: s.disabled_reason,
  updatedAt: s.updated_at,
});

const serverFacts = (s: RawServer): ServerFacts => ({
  id: s.id,
  name: s.name,
  status: s.status,
  host: s['OS-EXT-SRV-ATTR:host'],
  taskState: s['OS-EXT-STS:task_state'],
  vmState: s['OS-EXT-STS:vm_state'],
  ...(s.fault && { fault: s.fault.message }),
  vcpus: s.flavor.vcpus,
  ramMb: s.flavor.ram,
});

const migrationFacts = (m: RawMigration): MigrationFacts => ({
  id: m.id,
  uuid: m.uuid,
  instanceUuid: m.instance_uuid,
  type: m.migration_type,
  status: m.status,
  sourceCompute: m.source_compute,
  destCompute: m.dest_compute,
  createdAt: m.created_at,
  updatedAt: m.updated_at,
});

/**
 * Zed keeps a host forced down while `done` evacuations from it remain; its restarted compute
 * moves them to `completed` at start-up, then the same request succeeds.
 */
const evacuationsRemain = (err: unknown): err is ApplicationFailure =>
  err instanceof ApplicationFailure && /evacuation migration records remain/.test(err.message);

/** Nova's timestamps (`2026-12-07T00:50:14.700728`) to the second, or both absent. */
const sameSecond = (a: string | null, b: string | null) => a?.slice(0, 19) === b?.slice(0, 19);

export function novaActivities(openstack: () => OpenStackClient) {
  const nova = <T>(
    region: string,
    method: string,
    path: string,
    microversion: string,
    body?: unknown,
  ) => openstack().request<T>(region, 'compute', method, path, { microversion, body });

  async function listComputeServices({
    region,
    host,
  }: {
    region: string;
    host?: string;
  }): Promise<ComputeService[]> {
    const query = `?binary=nova-compute${host ? `&host=${encodeURIComponent(host)}` : ''}`;
    const { services } = await nova<{ services: RawService[] }>(
      region,
      'GET',
      `/os-services${query}`,
      SERVICES_MICROVERSION,
    );
    return services.map(serviceFacts);
  }

  async function computeService(region: string, host: string): Promise<ComputeService> {
    const [service] = await listComputeServices({ region, host });
    if (!service)
      throw ApplicationFailure.create({
        type: OPENSTACK_FAILURES.notFound,
        message: `no nova-compute service on host ${host} in ${region}`,
        nonRetryable: true,
      });
    return service;
  }

  const updateService = async (region: string, id: string, body: object) =>
    serviceFacts(
      (
        await nova<{ service: RawService }>(
          region,
          'PUT',
          `/os-services/${id}`,
          SERVICES_MICROVERSION,
          body,
        )
      ).service,
    );

  async function listServersOnHost({
    region,
    host,
  }: {
    region: string;
    host: string;
  }): Promise<ServerFacts[]> {
    const servers: ServerFacts[] = [];
    let marker: string | undefined;
    for (;;) {
      const query = `all_tenants=1&host=${encodeURIComponent(host)}&limit=500${marker ? `&marker=${marker}` : ''}`;
      const page = await nova<{ servers: RawServer[] }>(
        region,
        'GET',
        `/servers/detail?${query}`,
        SERVERS_MICROVERSION,
      );
      servers.push(...page.servers.map(serverFacts));
      if (page.servers.length < 500) return servers;
      marker = page.servers[page.servers.length - 1].id;
    }
  }

  async function listMigrations({
    region,
    serverId,
    host,
    type,
  }: {
    region: string;
    serverId?: string;
    host?: string;
    type?: MoveKind | 'resize';
  }): Promise<MigrationFacts[]> {
    const query = new URLSearchParams();
    if (serverId) query.set('instance_uuid', serverId);
    if (host) query.set('source_compute', host);
    if (type) query.set('migration_type', type);
    const { migrations } = await nova<{ migrations: RawMigration[] }>(
      region,
      'GET',
      `/os-migrations?${query}`,
      MIGRATIONS_MICROVERSION,
    );
    return migrations.map(migrationFacts);
  }

  const moves = moveActivities({
    getServer: async (region, serverId) =>
      serverFacts(
        (
          await nova<{ server: RawServer }>(
            region,
            'GET',
            `/servers/${serverId}`,
            SERVERS_MICROVERSION,
          )
        ).server,
      ),
    listMigrations,
    serverAction: async (region, serverId, body) => {
      await nova(region, 'POST', `/servers/${serverId}/action`, SERVERS_MICROVERSION, body);
    },
  });

  return {
    listComputeServices,

    async listHypervisors({ region }: { region: string }): Promise<Hypervisor[]> {
      const { hypervisors } = await nova<{
        hypervisors: {
          id: string;
          hypervisor_hostname: string;
          service: { host: string };
          state: 'up' | 'down';
          status: 'enabled' | 'disabled';
          running_vms: number;
          vcpus: number;
          vcpus_used: number;
          memory_mb: number;
          memory_mb_used: number;
        }[];
      }>(region, 'GET', '/os-hypervisors/detail', HYPERVISORS_MICROVERSION);
      return hypervisors.map((h) => ({
        id: h.id,
        hostname: h.hypervisor_hostname,
        host: h.service.host,
        state: h.state,
        status: h.status,
        runningVms: h.running_vms,
        freeVcpus: h.vcpus - h.vcpus_used,
        freeRamMb: h.memory_mb - h.memory_mb_used,
      }));
    },

    /** Forces a host's compute service down (Nova then treats it as down at once) or lifts it. */
    async setComputeServiceForcedDown({
      region,
      host,
      forcedDown,
    }: {
      region: string;
      host: string;
      forcedDown: boolean;
    }): Promise<{ changed: boolean; service: ComputeService }> {
      const service = await computeService(region, host);
      if (service.forcedDown === forcedDown) return { changed: false, service };
      try {
        return {
          changed: true,
          service: await updateService(region, service.id, { forced_down: forcedDown }),
        };
      } catch (err) {
        if (evacuationsRemain(err))
          throw ApplicationFailure.create({
            type: OPENSTACK_FAILURES.pending,
            message: err.message,
          });
        throw err;
      }
    },

    /**
     * Waits, heartbeating, until a host's restarted nova-compute reports: up, with an `updated_at`
     * other than `lastHeartbeat` (read before the power-on, from the old system). Nova's state
     * alone would not do: it says up for `service_down_time` after the old system's last report.
     * `updated_at` also moves on any write to the service, so a host left forced down (by an
     * eviction) is forced up first and its answer becomes the mark to move past. Zed refuses
     * that until the restarted compute has completed the evacuations from it, so it is asked
     * again each poll. Compared to the second: a write's answer carries microseconds that the
     * database (MariaDB's DATETIME) does not keep.
     */
    async awaitComputeRejoined(input: {
      region: string;
      host: string;
      lastHeartbeat: string | null;
      deadlineMs: number;
      pollMs?: number;
    }): Promise<{ reached: boolean; service: ComputeService }> {
      const ctx = Context.current();
      let mark = input.lastHeartbeat;
      for (;;) {
        let service = await computeService(input.region, input.host);
        if (service.forcedDown) {
          try {
            service = await updateService(input.region, service.id, { forced_down: false });
            mark = service.updatedAt;
          } catch (err) {
            if (!evacuationsRemain(err)) throw err;
          }
        }
        const reached = service.state === 'up' && !sameSecond(service.updatedAt, mark);
        if (reached || Date.now() >= input.deadlineMs) return { reached, service };
        ctx.heartbeat({ state: service.state, forcedDown: service.forcedDown });
        await ctx.sleep(input.pollMs ?? 2_000);
      }
    },

    /**
     * Disables a host's compute service with a reason, or enables it; a same-reason disable is
     * kept. A service a person disabled (a reason not Steward's, or none) keeps that person's
     * reason and stays disabled (`keptReason`): it is theirs to clear, even when a reinstall that
     * disabled it first finds a person's reason there by the time it would enable it.
     */
    async setComputeServiceEnabled({
      region,
      host,
      enabled,
      reason,
    }: {
      region: string;
      host: string;
      enabled: boolean;
      reason?: string;
    }): Promise<{ changed: boolean; keptReason: boolean; service: ComputeService }> {
      const service = await computeService(region, host);
      const disabled = service.status === 'disabled';
      if (disabled && !disabledBySteward(service.disabledReason))
        return {
          changed: false,
          keptReason: enabled || service.disabledReason !== (reason ?? null),
          service,
        };
      const goal = enabled
        ? service.status === 'enabled'
        : disabled && service.disabledReason === (reason ?? null);
      if (goal) return { changed: false, keptReason: false, service };
      const body = enabled
        ? { status: 'enabled' }
        : { status: 'disabled', ...(reason && { disabled_reason: reason }) };
      return {
        changed: true,
        keptReason: false,
        service: await updateService(region, service.id, body),
      };
    },

    listServersOnHost,
    listMigrations,
    ...moves,

    async listInstanceActions({
      region,
      serverId,
    }: {
      region: string;
      serverId: string;
    }): Promise<InstanceAction[]> {
      const { instanceActions } = await nova<{
        instanceActions: {
          action: string;
          request_id: string;
          start_time: string;
          message: string | null;
        }[];
      }>(region, 'GET', `/servers/${serverId}/os-instance-actions`, ACTIONS_MICROVERSION);
      return instanceActions.map((a) => ({
        action: a.action,
        requestId: a.request_id,
        startTime: a.start_time,
        message: a.message,
      }));
    },
  };
}

export type NovaActivities = ReturnType<typeof novaActivities>;
