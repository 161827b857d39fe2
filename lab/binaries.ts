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

/** Paths of the binaries `scripts/setup/lab-binaries.sh` built; throws naming the missing ones. */
export function kubernetesBinaries(env: NodeJS.ProcessEnv = process.env): KubernetesBinaries {
  const v = readVersions();
  const cache = env.STEWARD_CACHE || join(homedir(), '.cache', 'steward');
  const bin = (dir: string, name: string) => join(cache, dir, 'bin', name);
  const binaries: KubernetesBinaries = {
    kubeApiserver: bin(`kubernetes-${v.KUBERNETES_VERSION}`, 'kube-apiserver'),
    kubeControllerManager: bin(`kubernetes-${v.KUBERNETES_VERSION}`, 'kube-controller-manager'),
    kubeScheduler: bin(`kubernetes-${v.KUBERNETES_VERSION}`, 'kube-scheduler'),
    etcd: bin(`etcd-${v.ETCD_VERSION}`, 'etcd'),
    kwok: bin(`kwok-${v.KWOK_VERSION}`, 'kwok'),
  };
  const missing = Object.values(binaries).filter((p) => !executable(p));
  if (missing.length > 0) {
    throw new Error(
      `missing lab binaries (run scripts/setup/lab-binaries.sh): ${missing.join(', ')}`,
    );
  }
  return binaries;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
