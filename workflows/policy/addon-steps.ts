// Add-on work that belongs to particular Kubernetes versions, as tables a maintainer extends:
// which snapshot-controller a minor runs, when the manifest-based Calico moves to the Tigera
// operator, and the Prometheus stack's CRDs for each of its major versions.
import { invalidInput } from '../api';
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

/**
 * The prometheus-operator whose CRDs each kube-prometheus-stack chart major needs: the chart's
 * upgrade notes ("From 57.x to 58.x: This version upgrades Prometheus-Operator to v0.73.0. Run
 * these commands to update the CRDs before applying the upgrade"), prometheus-community/helm-charts
 * charts/kube-prometheus-stack/README.md as of chart 65.x. A major whose notes name no operator
 * upgrade keeps the previous major's operator.
 */
export const PROMETHEUS_OPERATOR_BY_CHART_MAJOR: Record<number, string> = {
  43: 'v0.61.1',
  44: 'v0.62.0',
  45: 'v0.63.0',
  46: 'v0.65.1',
  47: 'v0.66.0',
  48: 'v0.66.0',
  49: 'v0.67.1',
  50: 'v0.67.1',
  51: 'v0.68.0',
  52: 'v0.68.0',
  53: 'v0.69.1',
  54: 'v0.69.1',
  55: 'v0.70.0',
  56: 'v0.71.0',
  57: 'v0.72.0',
  58: 'v0.73.0',
  59: 'v0.74.0',
  60: 'v0.74.0',
  61: 'v0.75.0',
  62: 'v0.76.0',
  63: 'v0.76.0',
  64: 'v0.76.0',
  65: 'v0.77.1',
};

/** Calico must run under the Tigera operator from this minor on. */
export const TIGERA_OPERATOR_MINOR = 26;

export type AddonStep =
  | { kind: 'tigera-operator-migration' }
  | { kind: 'snapshot-controller'; version: string; removeKubeSystemDeployment: boolean }
  | { kind: 'monitoring-crds'; major: number; operatorVersion: string };

/** The steps applied from upstream manifests (the Tigera migration installs an operator instead). */
export type ManifestAddonStep = Exclude<AddonStep, { kind: 'tigera-operator-migration' }>;

export interface AddonFacts {
  /**
   * A calico-node DaemonSet in kube-system: Calico from manifests, or a migration to the Tigera
   * operator not finished yet (the operator removes it last).
   */
  manifestCalicoInKubeSystem: boolean;
  /** The snapshot-controller version running, if any. */
  snapshotController?: string;
  /** The old snapshot-controller Deployment in kube-system still exists. */
  kubeSystemSnapshotController: boolean;
  /** The kube-prometheus-stack chart version deployed (e.g. "60.0.0"), if any. */
  monitoringChart?: string;
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
export function monitoringCrdSteps(current: number, target: number): ManifestAddonStep[] {
  if (!Number.isInteger(current) || !Number.isInteger(target) || target < current) {
    throw new Error(`monitoring stack: cannot go from major ${current} to ${target}`);
  }
  return Array.from({ length: target - current }, (_, i) => {
    const major = current + 1 + i;
    const operatorVersion = PROMETHEUS_OPERATOR_BY_CHART_MAJOR[major];
    if (!operatorVersion) {
      const known = Object.keys(PROMETHEUS_OPERATOR_BY_CHART_MAJOR).map(Number);
      throw new Error(
        `monitoring stack: no prometheus-operator version known for chart major ${major} (known: ${Math.min(...known)}-${Math.max(...known)})`,
      );
    }
    return { kind: 'monitoring-crds', major, operatorVersion };
  });
}

/** A Helm chart version "58.2.1" as numbers; undefined when malformed. */
export function parseChartVersion(text: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The monitoring CRD steps that take the deployed kube-prometheus-stack chart to `target`;
 * refusals name the input field `monitoringChart`.
 */
export function monitoringChartSteps(deployed: string | undefined, target: string): AddonStep[] {
  const to = parseChartVersion(target);
  if (!to)
    throw invalidInput('monitoringChart', `"${target}" is not a chart version like "62.7.0"`);
  if (deployed === undefined) {
    throw invalidInput(
      'monitoringChart',
      'no kube-prometheus-stack is deployed (no Deployment labelled helm.sh/chart or chart kube-prometheus-stack-<version>)',
    );
  }
  const from = parseChartVersion(deployed);
  if (!from)
    throw invalidInput('monitoringChart', `the deployed chart version "${deployed}" is malformed`);
  if ((to[0] - from[0] || to[1] - from[1] || to[2] - from[2]) < 0) {
    throw invalidInput(
      'monitoringChart',
      `${target} is older than the deployed kube-prometheus-stack ${deployed}; downgrades are not supported`,
    );
  }
  try {
    return monitoringCrdSteps(from[0], to[0]);
  } catch (err) {
    throw invalidInput('monitoringChart', (err as Error).message);
  }
}
