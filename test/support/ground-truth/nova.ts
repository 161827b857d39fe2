// Nova's own records as plain records: its migrations (evacuations, live migrations), each
// instance's actions, and a sampler of the compute services' state.
import type { NovaConnection } from '../../../lab';
import { adminApi, computeServices } from '../openstack';
import type { ComputeServiceSample, NovaInstanceAction, NovaMigration } from './records';
import { startSampler } from './sampler';

/** Nova writes naive UTC timestamps (`2026-12-07T07:41:02.000000`); make them ISO with Z. */
export const novaTime = (t: string) => (/[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);

/** Nova's JSON of a migration, the fields the records keep. */
type RawMigration = Record<'instance_uuid' | 'migration_type' | 'status' | 'created_at', string> & {
  id: number;
} & Record<'source_compute' | 'dest_compute', string | null>;

export const migrationRecord = (m: RawMigration): NovaMigration => ({
  id: m.id,
  instance: m.instance_uuid,
  type: m.migration_type,
  status: m.status,
  source: m.source_compute,
  dest: m.dest_compute,
  at: novaTime(m.created_at),
});

/** Every migration Nova recorded, oldest first. */
export async function novaMigrations(openstack: NovaConnection): Promise<NovaMigration[]> {
  const { migrations } = await adminApi(openstack).call<{ migrations: RawMigration[] }>(
    'GET',
    `${openstack.computeUrl}/os-migrations`,
    undefined,
    { microversion: '2.59' },
  );
  return migrations.map(migrationRecord).sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
}

/** The actions Nova recorded on each of `instances`, oldest first. */
export async function novaInstanceActions(
  openstack: NovaConnection,
  instances: string[],
): Promise<NovaInstanceAction[]> {
  const api = adminApi(openstack);
  const actions: NovaInstanceAction[] = [];
  for (const instance of instances) {
    const { instanceActions } = await api.call<{
      instanceActions: {
        action: string;
        request_id: string;
        start_time: string;
        user_id?: string;
      }[];
    }>('GET', `${openstack.computeUrl}/servers/${instance}/os-instance-actions`, undefined, {
      microversion: '2.58',
    });
    for (const a of instanceActions)
      actions.push({
        instance,
        action: a.action,
        requestId: a.request_id,
        at: novaTime(a.start_time),
        ...(a.user_id && { userId: a.user_id }),
      });
  }
  return actions.sort((a, b) => a.at.localeCompare(b.at));
}

/** Samples the compute services (state, status, forced down) every `intervalMs`. */
export const sampleComputeServices = (openstack: NovaConnection, intervalMs = 1000) =>
  startSampler<ComputeServiceSample>(intervalMs, async () => [
    {
      at: new Date().toISOString(),
      services: (await computeServices(openstack)).map((s) => ({
        host: s.host,
        state: s.state,
        status: s.status,
        forcedDown: s.forced_down,
      })),
    },
  ]);
