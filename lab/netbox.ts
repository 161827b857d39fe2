// The lab's NetBox: its own PostgreSQL (a copy of the migrated template) and Redis, and NetBox
// under gunicorn, all on loopback, seeded from the scenario's hosts by lab/netbox/seed.py. The data
// persists in the state dir, so a second start resumes.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { netboxInstall } from './binaries';
import { isRunning, startDaemon, stopDaemons } from './daemon';
import { bmcAddress } from './hosts';
import { labDir } from './kubernetes';
import { netboxCommand, netboxEnv, type NetboxSecrets } from './netbox-env';
import type { LabPorts } from './ports';
import { startPostgres, type PostgresSpec } from './postgres';
import type { ScenarioHost } from './scenario';
import { waitFor } from './wait';

/** What `connection.json` says about NetBox. */
export interface NetboxConnection {
  url: string;
  /** A 0600 file holding the API token as clients send it after `Bearer `. */
  tokenFile: string;
}

/** Daemon names in start order; they are stopped in reverse. */
export const NETBOX_DAEMONS = ['netbox-redis', 'netbox-postgres', 'netbox'] as const;
const DATABASE_DAEMON = 'netbox-postgres';

export const netboxDir = (stateDir: string) => join(labDir(stateDir), 'netbox');

type NetboxPorts = Pick<LabPorts, 'netbox' | 'netboxPostgres' | 'netboxRedis'>;

/** Starts NetBox and seeds `hosts`; a relative `baseScript` resolves from `scenarioDir`. */
export async function startNetbox(
  stateDir: string,
  ports: NetboxPorts,
  hosts: ScenarioHost[],
  scenarioDir: string,
): Promise<NetboxConnection> {
  const install = netboxInstall();
  if (!existsSync(join(install.databaseTemplate, 'PG_VERSION'))) {
    throw new Error(
      `no migrated NetBox database at ${install.databaseTemplate} (run scripts/setup/netbox.sh)`,
    );
  }
  const dir = netboxDir(stateDir);
  mkdirSync(join(dir, 'root'), { recursive: true, mode: 0o700 });
  const pg = postgresSpec(stateDir, ports.netboxPostgres);
  writeFileSync(join(dir, 'postgres-port'), `${ports.netboxPostgres}\n`);
  if (!existsSync(join(pg.dataDir, 'PG_VERSION'))) {
    // cp -a keeps the owner (PostgreSQL's user) and the 0700 mode PostgreSQL insists on.
    await promisify(execFile)('cp', ['-a', install.databaseTemplate, pg.dataDir]);
  }
  const env = netboxEnv(install, {
    root: join(dir, 'root'),
    dbPort: ports.netboxPostgres,
    redisPort: ports.netboxRedis,
    secrets: labSecrets(join(dir, 'secrets.json')),
  });
  startDaemon(stateDir, {
    name: 'netbox-redis',
    command: install.redisServer,
    args: ['--bind', '127.0.0.1', '--port', String(ports.netboxRedis), '--save', '', '--dir', dir],
  });
  await startPostgres(stateDir, DATABASE_DAEMON, pg);
  const url = `http://127.0.0.1:${ports.netbox}`;
  startDaemon(stateDir, {
    name: 'netbox',
    command: join(install.venv, 'bin', 'gunicorn'),
    args: [
      `--bind=127.0.0.1:${ports.netbox}`,
      // Two cores: two workers (one may sit in a slow request) of four threads each.
      '--workers=2',
      '--threads=4',
      '--timeout=120',
      // Longer than clients keep an idle connection (Node's fetch: 4 s): gunicorn's default of
      // 2 s closes connections that clients are about to reuse ("other side closed").
      '--keep-alive=30',
      // Its default control socket, ~/.gunicorn/gunicorn.ctl, would be shared by every lab.
      '--no-control-socket',
      // Import NetBox once, before forking the workers: half the start-up CPU.
      '--preload',
      'netbox.wsgi',
    ],
    env,
    cwd: dir,
    // Its workers spend seconds tearing down Python at exit; everything NetBox keeps is in
    // PostgreSQL, so the lab stops them at once.
    stopSignal: 'SIGKILL',
  });
  const tokenFile = join(dir, 'api-token');
  // While gunicorn starts: a second Django start-up, on the other core.
  await netboxCommand(
    install,
    {
      ...env,
      STEWARD_NETBOX_TOKEN_FILE: tokenFile,
      STEWARD_LAB_HOSTS: seedHosts(hosts, scenarioDir),
    },
    [
      'shell',
      '--no-imports',
      '--command',
      readFileSync(join(__dirname, 'netbox', 'seed.py'), 'utf8'),
    ],
  );
  const authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
  await waitFor(
    'NetBox /api/status/',
    async () => {
      const res = await fetch(`${url}/api/status/`, { headers: { authorization } });
      return res.ok || `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    },
    { timeoutMs: 120_000, daemon: { stateDir, name: 'netbox' } },
  );
  return { url, tokenFile };
}

export async function stopNetbox(stateDir: string): Promise<void> {
  await stopDaemons(stateDir, [...NETBOX_DAEMONS].reverse());
}

/**
 * A fault for tests: stops NetBox's PostgreSQL (NetBox then answers 5xx, as it does when its
 * database fails) or starts it again.
 */
export async function setNetboxDatabaseRunning(stateDir: string, running: boolean): Promise<void> {
  if (!running) return stopDaemons(stateDir, [DATABASE_DAEMON]);
  if (isRunning(stateDir, DATABASE_DAEMON)) return;
  const port = Number(readFileSync(join(netboxDir(stateDir), 'postgres-port'), 'utf8'));
  await startPostgres(stateDir, DATABASE_DAEMON, postgresSpec(stateDir, port));
}

function postgresSpec(stateDir: string, port: number): PostgresSpec {
  return { bin: netboxInstall().postgresBin, dataDir: join(netboxDir(stateDir), 'pgdata'), port };
}

/** What seed.py creates per host: the BMC's address as OOB IP for in-band BMCs only. */
function seedHosts(hosts: ScenarioHost[], scenarioDir: string): string {
  return JSON.stringify(
    hosts.map((h, index) => ({
      name: h.name,
      serial: h.serial,
      status: h.status,
      deployment: h.deployment,
      baseScript: h.baseScript ? resolve(scenarioDir, h.baseScript) : null,
      oobIp: h.bmc === 'in-band' ? `${bmcAddress(index)}/32` : null,
    })),
  );
}

/** The lab's Django secret key and token pepper: made once, kept with its database. */
function labSecrets(file: string): NetboxSecrets {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as NetboxSecrets;
  const secrets = {
    secretKey: randomBytes(48).toString('base64url'),
    tokenPepper: randomBytes(48).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets) + '\n', { mode: 0o600 });
  return secrets;
}
