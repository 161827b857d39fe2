// Where the lab's OpenStack keeps its files (under <state dir>/lab/nova) and how its processes
// are named; one place, so that the lab, its host physics and tests agree.
import { join } from 'node:path';

export const novaDir = (stateDir: string) => join(stateDir, 'lab', 'nova');

export interface NovaLayout {
  dir: string;
  etc: string;
  /** Written once the databases are created and bootstrapped: a second start resumes. */
  initialised: string;
  /** The ports the lab was created with (its databases remember them), and its passwords. */
  portsFile: string;
  secretsFile: string;
  /** 0600: clouds `lab-admin` and `lab-steward` for the openstack CLI (OS_CLIENT_CONFIG_FILE). */
  cloudsYaml: string;
  keystoneConf: string;
  placementDir: string;
  glanceConf: string;
  novaConf: string;
  /** Nova's database connections: api, conductor, scheduler and nova-manage only. */
  novaDbConf: string;
  computeConf: (host: string) => string;
  mariadbConf: string;
  rabbitmqDir: string;
}

export function novaLayout(stateDir: string): NovaLayout {
  const dir = novaDir(stateDir);
  const etc = join(dir, 'etc');
  return {
    dir,
    etc,
    initialised: join(dir, 'initialised'),
    portsFile: join(dir, 'ports.json'),
    secretsFile: join(dir, 'secrets.json'),
    cloudsYaml: join(dir, 'clouds.yaml'),
    keystoneConf: join(etc, 'keystone.conf'),
    placementDir: join(etc, 'placement'),
    glanceConf: join(etc, 'glance-api.conf'),
    novaConf: join(etc, 'nova.conf'),
    novaDbConf: join(etc, 'nova-db.conf'),
    computeConf: (host) => join(etc, `compute-${host}.conf`),
    mariadbConf: join(etc, 'my.cnf'),
    rabbitmqDir: join(dir, 'rabbitmq'),
  };
}

export const computeDaemon = (host: string) => `nova-compute-${host}`;

/** The lab's OpenStack processes in start order (computes aside); stopped in reverse. */
export const NOVA_DAEMONS = [
  'nova-mariadb',
  'nova-epmd',
  'nova-rabbitmq',
  'keystone',
  'placement',
  'glance',
  'network-endpoint',
  'nova-conductor',
  'nova-scheduler',
  'nova-api',
] as const;

export const REGION = 'RegionOne';
/** Keystone users the services authenticate as (project `service`, role admin). */
export const SERVICE_USERS = ['nova', 'placement', 'glance'] as const;
/** Steward's own Keystone user (project `admin`, role admin); its password is in Vault only. */
export const STEWARD_USER = 'steward';
export const STEWARD_VAULT_PATH = 'secret/data/openstack/steward';

/** Debian's interpreter: the python3 on PATH may be another (pyenv's) without OpenStack. */
export const PYTHON = '/usr/bin/python3';
