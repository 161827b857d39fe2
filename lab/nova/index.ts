// The lab's real OpenStack (Debian 12's Zed): MariaDB, RabbitMQ, Keystone, placement, Glance, the
// network stand-in, nova-api, conductor, scheduler and one nova-compute (fake driver) per
// hypervisor. Created once per state dir (databases, keys), resumed by later starts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { listDaemons, stopDaemons } from '../daemon';
import { assertPortsFree, type LabPorts } from '../ports';
import { waitFor } from '../wait';
import { OpenStackApi } from './api';
import { seedCompute, waitForComputes } from './compute-seed';
import {
  keystoneUrl,
  novaDatabaseUrl,
  writeNovaConfigs,
  type NovaPorts,
  type NovaSecrets,
} from './configs';
import { initKeystone, seedKeystone, walMode } from './identity';
import { startMariadb, startRabbitmq } from './infrastructure';
import {
  computeDaemon,
  NOVA_DAEMONS,
  novaLayout,
  REGION,
  STEWARD_USER,
  STEWARD_VAULT_PATH,
  type NovaLayout,
} from './layout';
import {
  novaManage,
  runPython,
  startCompute,
  startGlance,
  startKeystone,
  startNetworkEndpoint,
  startNovaControl,
  startPlacement,
  waitForPort,
} from './processes';
import type { NovaScenario } from './scenario';

export { computeDaemon, STEWARD_VAULT_PATH } from './layout';
export { startCompute, stopCompute } from './processes';
export type { NovaScenario } from './scenario';

/** A Keystone user's login, as `connection.json` states it. */
export interface OpenStackLogin {
  username: string;
  userDomain: string;
  project: string;
  projectDomain: string;
}

/** What `connection.json` says about the lab's OpenStack (key `openstack`). */
export interface NovaConnection {
  authUrl: string;
  region: string;
  /** The admin's login; its password in a 0600 file. */
  admin: OpenStackLogin & { passwordFile: string };
  /** Steward's service user; its password only in the lab's Vault, at `passwordRef`. */
  steward: OpenStackLogin & { passwordRef: string };
  /** 0600: clouds `lab-admin` and `lab-steward` for the `openstack` CLI. */
  cloudsYaml: string;
  computeUrl: string;
  hypervisors: string[];
}

const NOVA_PORT_KEYS = [
  'keystone',
  'placement',
  'glance',
  'novaApi',
  'network',
  'rabbitmq',
  'rabbitmqDist',
  'epmd',
  'mariadb',
] as const;

const login = (username: string, project: string): OpenStackLogin => ({
  username,
  userDomain: 'Default',
  project,
  projectDomain: 'Default',
});

export async function startNovaLab(
  stateDir: string,
  ports: LabPorts,
  scenario: NovaScenario,
): Promise<NovaConnection> {
  try {
    return await start(stateDir, ports, scenario);
  } catch (err) {
    await stopNovaLab(stateDir);
    throw err;
  }
}

async function start(
  stateDir: string,
  labPorts: LabPorts,
  scenario: NovaScenario,
): Promise<NovaConnection> {
  const layout = novaLayout(stateDir);
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  const resumed = existsSync(layout.initialised);
  // The databases remember their ports (catalog, cell mappings): a resumed lab keeps them.
  const ports: NovaPorts = resumed
    ? (JSON.parse(readFileSync(layout.portsFile, 'utf8')) as NovaPorts)
    : pick(labPorts);
  await assertPortsFree({ ...ports });
  const secrets = labSecrets(layout);
  writeNovaConfigs(layout, ports, secrets, scenario);
  writeFileSync(layout.portsFile, JSON.stringify(ports) + '\n');

  const admin = new OpenStackApi({
    authUrl: keystoneUrl(ports),
    username: 'admin',
    password: secrets.admin,
    project: 'admin',
  });
  // Three independent starts side by side; the databases' one-off set-up runs inside each.
  const infrastructure = async () => {
    await startMariadb(stateDir, layout, secrets);
    await startRabbitmq(stateDir, layout, ports);
    if (!resumed) await initNovaDatabases(layout, ports, secrets);
  };
  const identity = async () => {
    if (!resumed) await initKeystone(layout, ports, secrets);
    startKeystone(stateDir, layout, ports);
    await waitForKeystone(stateDir, ports);
    await seedKeystone(admin, ports, secrets);
  };
  const support = async () => {
    if (!resumed) {
      await runPython('placement.cmd.manage', 'placement-manage', [
        '--config-file',
        join(layout.placementDir, 'placement.conf'),
        'db',
        'sync',
      ]);
      await walMode(join(layout.dir, 'placement.db'));
      await runPython('glance.cmd.manage', 'glance-manage', [
        '--config-file',
        layout.glanceConf,
        'db',
        'sync',
      ]);
      await walMode(join(layout.dir, 'glance.db'));
    }
    startPlacement(stateDir, layout, ports);
    startGlance(stateDir, layout);
    startNetworkEndpoint(stateDir, ports);
  };
  await settleAll([infrastructure(), identity(), support()]);
  await waitForPort(stateDir, 'nova-rabbitmq', ports.rabbitmq);
  startNovaControl(stateDir, layout);
  for (const host of scenario.hypervisors) startCompute(stateDir, host);
  await Promise.all([
    waitForPort(stateDir, 'placement', ports.placement),
    waitForPort(stateDir, 'glance', ports.glance),
    waitForPort(stateDir, 'network-endpoint', ports.network),
    waitForPort(stateDir, 'nova-api', ports.novaApi, 180_000),
  ]);
  await waitForComputes(admin, ports, layout, scenario.hypervisors);
  await seedCompute(admin, ports, {
    hypervisors: scenario.hypervisors,
    instances: scenario.instances ?? 2 * scenario.hypervisors.length,
  });
  writeFileSync(layout.initialised, new Date().toISOString() + '\n');
  return connection(layout, ports, secrets, scenario);
}

async function initNovaDatabases(
  layout: NovaLayout,
  ports: NovaPorts,
  secrets: NovaSecrets,
): Promise<void> {
  await novaManage(layout, 'api_db', 'sync');
  const cell0 = novaDatabaseUrl(ports, secrets, 'nova_cell0');
  await novaManage(layout, 'cell_v2', 'map_cell0', '--database_connection', cell0);
  await novaManage(layout, 'db', 'sync');
  await novaManage(layout, 'cell_v2', 'create_cell', '--name', 'cell1');
}

async function waitForKeystone(stateDir: string, ports: NovaPorts): Promise<void> {
  await waitFor('Keystone /v3', async () => (await fetch(keystoneUrl(ports))).ok, {
    timeoutMs: 120_000,
    intervalMs: 250,
    daemon: { stateDir, name: 'keystone' },
  });
}

function connection(
  layout: NovaLayout,
  ports: NovaPorts,
  secrets: NovaSecrets,
  scenario: NovaScenario,
): NovaConnection {
  const authUrl = keystoneUrl(ports);
  const passwordFile = join(layout.dir, 'admin-password');
  writeFileSync(passwordFile, secrets.admin + '\n', { mode: 0o600 });
  const cloud = (user: string, project: string, password: string) => ({
    auth: {
      auth_url: authUrl,
      username: user,
      password,
      project_name: project,
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    },
    region_name: REGION,
    identity_api_version: 3,
  });
  writeFileSync(
    layout.cloudsYaml,
    stringify({
      clouds: {
        'lab-admin': cloud('admin', 'admin', secrets.admin),
        'lab-steward': cloud(STEWARD_USER, 'admin', secrets.steward),
      },
    }),
    { mode: 0o600 },
  );
  return {
    authUrl,
    region: REGION,
    admin: { ...login('admin', 'admin'), passwordFile },
    steward: {
      ...login(STEWARD_USER, 'admin'),
      passwordRef: `vault:${STEWARD_VAULT_PATH}#password`,
    },
    cloudsYaml: layout.cloudsYaml,
    computeUrl: `http://127.0.0.1:${ports.novaApi}/v2.1`,
    hypervisors: scenario.hypervisors,
  };
}

/** Vault KV v2 secrets the lab's Vault must hold for Steward (path without `secret/data/`). */
export function novaVaultSecrets(stateDir: string): Record<string, Record<string, string>> {
  const secrets = labSecrets(novaLayout(stateDir));
  return { [STEWARD_VAULT_PATH]: { username: STEWARD_USER, password: secrets.steward } };
}

export async function stopNovaLab(stateDir: string): Promise<void> {
  const computes = listDaemons(stateDir).filter((n) => n.startsWith(computeDaemon('')));
  await stopDaemons(stateDir, computes);
  await stopDaemons(stateDir, [...NOVA_DAEMONS].reverse());
}

function pick(ports: LabPorts): NovaPorts {
  return Object.fromEntries(NOVA_PORT_KEYS.map((k) => [k, ports[k]])) as unknown as NovaPorts;
}

/** The lab's passwords: made once, kept with its databases. */
function labSecrets(layout: NovaLayout): NovaSecrets {
  if (existsSync(layout.secretsFile))
    return JSON.parse(readFileSync(layout.secretsFile, 'utf8')) as NovaSecrets;
  const make = () => randomBytes(18).toString('base64url');
  const secrets: NovaSecrets = {
    admin: make(),
    steward: make(),
    nova: make(),
    placement: make(),
    glance: make(),
    database: make(),
  };
  writeFileSync(layout.secretsFile, JSON.stringify(secrets) + '\n', { mode: 0o600 });
  return secrets;
}

/** Waits for every promise, then throws the first failure (so clean-up meets no starter). */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  for (const r of await Promise.allSettled(promises)) if (r.status === 'rejected') throw r.reason;
}
