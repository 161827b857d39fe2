// Add-on work that belongs to particular Kubernetes versions, as tables a maintainer extends:
// which snapshot-controller a minor runs, when the manifest-based Calico moves to the Tigera
// operator, and the Prometheus stack's CRDs for each of its major versions.
import { parseVersion } from './kubernetes-version';

/** snapshot-controller per Kubernetes minor (Yaook's map to 1.30; upstream's supported releases after). */
export const SNAPSHOT_CONTROLLER_BY_MINOR: Record<string, string> = {
  '1.24': 'v6.2.1',
  '1.25': 'v6.2.1',
  '1.26': 'v6.2.1',
  '1.27': 'v6.3.3',
  '1.28': 'v7.0.2',
  '1.29': 'v8.0.1',
  '1.30': 'v8.0.1',
  '1.31': 'v8.1.0',
  '1.32': 'v8.2.0',
  '1.33': 'v8.2.0',
};

/** Calico must run under the Tigera operator from this minor on. */
export const TIGERA_OPERATOR_MINOR = 26;

export type AddonStep =
  | { kind: 'tigera-operator-migration' }
  | { kind: 'snapshot-controller'; version: string; removeKubeSystemDeployment: boolean }
  | { kind: 'monitoring-crds'; major: number };

export interface AddonFacts {
  /** calico-node DaemonSet and calico-typha Deployment in kube-system, no tigera-operator. */
  manifestCalicoInKubeSystem: boolean;
  /** The snapshot-controller version running, if any. */
  snapshotController?: string;
  /** The old snapshot-controller Deployment in kube-system still exists. */
  kubeSystemSnapshotController: boolean;
}

/** The add-on steps that follow the cluster's step to `version` (e.g. "v1.28.15"), in order. */
export function addonStepsFor(version: string, facts: AddonFacts): AddonStep[] {
  const v = parseVersion(version);
  if (!v) throw new Error(`not a version: ${version}`);
  const steps: AddonStep[] = [];
  if (v.minor === TIGERA_OPERATOR_MINOR && facts.manifestCalicoInKubeSystem) {
    steps.push({ kind: 'tigera-operator-migration' });
  }
  const snapshot = SNAPSHOT_CONTROLLER_BY_MINOR[`${v.major}.${v.minor}`];
  if (snapshot && snapshot !== facts.snapshotController) {
    const major = parseVersion(snapshot)!.major;
    steps.push({
      kind: 'snapshot-controller',
      version: snapshot,
      // From v7 the controller lives outside kube-system; the old Deployment goes first.
      removeKubeSystemDeployment: major >= 7 && facts.kubeSystemSnapshotController,
    });
  }
  return steps;
}

/** The monitoring stack's CRDs for every major version from the one after `current` to `target`. */
export function monitoringCrdSteps(current: number, target: number): AddonStep[] {
  if (!Number.isInteger(current) || !Number.isInteger(target) || target < current) {
    throw new Error(`monitoring stack: cannot go from major ${current} to ${target}`);
  }
  return Array.from({ length: target - current }, (_, i) => ({
    kind: 'monitoring-crds',
    major: current + 1 + i,
  }));
}
