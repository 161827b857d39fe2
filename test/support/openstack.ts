// The lab's OpenStack as an operator sees it: the real `openstack` and `nova` CLIs (Debian's, run
// by /usr/bin/python3 through their shebang, whatever python3 is first on PATH) with the lab's
// clouds.yaml, and the real API as the lab's admin.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { OpenStackApi } from '../../lab/nova/api';
import type { NovaConnection } from '../../lab';

export interface CliServer {
  ID: string;
  Name: string;
  Status: string;
  Host: string;
  'Task State': string | null;
}

/** `openstack --os-cloud <cloud> <args>`: its standard output. */
export async function openstackRun(
  openstack: NovaConnection,
  args: string[],
  cloud = 'lab-admin',
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    '/usr/bin/openstack',
    ['--os-cloud', cloud, ...args],
    {
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: openstack.cloudsYaml },
    },
  );
  return stdout;
}

/** `openstack --os-cloud <cloud> <args> -f json`, parsed. */
export async function openstackCli<T>(
  openstack: NovaConnection,
  args: string[],
  cloud = 'lab-admin',
): Promise<T> {
  return JSON.parse(await openstackRun(openstack, [...args, '-f', 'json'], cloud)) as T;
}

/** `openstack server list --all-projects --long` (with `-c` it refuses: "Field names must be unique"). */
export const listServers = (openstack: NovaConnection) =>
  openstackCli<CliServer[]>(openstack, ['server', 'list', '--all-projects', '--long']);

/** The lab admin's own client of the real API (project-scoped token). */
export function adminApi(openstack: NovaConnection): OpenStackApi {
  return new OpenStackApi({
    authUrl: openstack.authUrl,
    username: openstack.admin.username,
    password: readFileSync(openstack.admin.passwordFile, 'utf8').trim(),
    project: openstack.admin.project,
  });
}

export interface ApiService {
  id: string;
  host: string;
  binary: string;
  state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  forced_down: boolean;
  disabled_reason: string | null;
}

export async function computeServices(openstack: NovaConnection): Promise<ApiService[]> {
  const { services } = await adminApi(openstack).call<{ services: ApiService[] }>(
    'GET',
    `${openstack.computeUrl}/os-services?binary=nova-compute`,
    undefined,
    { microversion: '2.53' },
  );
  return services;
}

/** Keystone revokes every token of Steward's user, as disabling it for a moment does. */
export async function revokeStewardTokens(openstack: NovaConnection): Promise<void> {
  const api = adminApi(openstack);
  const { users } = await api.call<{ users: { id: string }[] }>(
    'GET',
    `${openstack.authUrl}/users?name=${openstack.steward.username}`,
  );
  for (const enabled of [false, true])
    await api.call('PATCH', `${openstack.authUrl}/users/${users[0].id}`, { user: { enabled } });
}

/** Takes a host's compute service back into service: not forced down, enabled. */
export async function restoreComputeService(openstack: NovaConnection, host: string) {
  const service = (await computeServices(openstack)).find((s) => s.host === host);
  if (!service) throw new Error(`no nova-compute service on ${host}`);
  const api = adminApi(openstack);
  const url = `${openstack.computeUrl}/os-services/${service.id}`;
  const options = { microversion: '2.53' };
  if (service.forced_down) await api.call('PUT', url, { forced_down: false }, options);
  if (service.status !== 'enabled') await api.call('PUT', url, { status: 'enabled' }, options);
}
