// Fault switches for tests: what happens to hypervisors besides their power.
import { readFileSync } from 'node:fs';
import { stopDaemons } from '../daemon';
import { OpenStackApi } from './api';
import type { NovaConnection } from './index';
import type { NovaPorts } from './configs';
import { novaLayout } from './layout';
import { NOVA_API_DAEMON, startCompute, startNovaApi, stopCompute, waitForPort } from './processes';

/**
 * Kills Nova's API (its port refuses every request: Nova down for its clients), or starts it
 * again and resolves once it listens.
 */
export async function setNovaApiRunning(stateDir: string, running: boolean): Promise<void> {
  if (!running) return stopDaemons(stateDir, [NOVA_API_DAEMON]);
  const layout = novaLayout(stateDir);
  startNovaApi(stateDir, layout);
  const ports = JSON.parse(readFileSync(layout.portsFile, 'utf8')) as NovaPorts;
  await waitForPort(stateDir, NOVA_API_DAEMON, ports.novaApi, 180_000);
}

/**
 * Kills (SIGKILL) or starts the nova-compute of `hosts` while their BMCs still say power on: one
 * host's compute service dying, or several at once (a partition). Resolves once each is gone or
 * started; Nova reports a killed one `down` after its service_down_time.
 */
export async function setComputeRunning(
  stateDir: string,
  hosts: string[],
  running: boolean,
): Promise<void> {
  if (running) for (const host of hosts) startCompute(stateDir, host);
  else await Promise.all(hosts.map((host) => stopCompute(stateDir, host)));
}

/**
 * Enables or disables the compute services of `hosts` as an operator would (no capacity left
 * there: the scheduler finds no valid host), through the real API as the lab's admin.
 */
export async function setComputeServicesEnabled(
  openstack: NovaConnection,
  hosts: string[],
  enabled: boolean,
): Promise<void> {
  const api = new OpenStackApi({
    authUrl: openstack.authUrl,
    username: openstack.admin.username,
    password: readFileSync(openstack.admin.passwordFile, 'utf8').trim(),
    project: openstack.admin.project,
  });
  const { services } = await api.call<{ services: { id: string; host: string }[] }>(
    'GET',
    `${openstack.computeUrl}/os-services?binary=nova-compute`,
    undefined,
    { microversion: '2.53' },
  );
  for (const service of services.filter((s) => hosts.includes(s.host))) {
    await api.call(
      'PUT',
      `${openstack.computeUrl}/os-services/${service.id}`,
      enabled ? { status: 'enabled' } : { status: 'disabled', disabled_reason: 'lab: no capacity' },
      { microversion: '2.53' },
    );
  }
}
