// Kubernetes versions and the upgrade path: one minor version at a time, never down. A node is
// upgraded one minor per step too (kubeadm does not skip minors), so a node more than one minor
// behind the first step refuses the start.

export interface Version {
  major: number;
  minor: number;
  /** Undefined for a minor-only target such as "1.32". */
  patch?: number;
}

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? undefined : Number(m[3]),
  };
}

export const formatVersion = (v: Version) =>
  `v${v.major}.${v.minor}${v.patch === undefined ? '' : `.${v.patch}`}`;
export const minorOf = (v: Version) => `${v.major}.${v.minor}`;

function compare(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

export interface UpgradePathInput {
  /** The control plane's version, as kubeadm records it (ClusterConfiguration.kubernetesVersion). */
  controlPlane: string;
  /** Every node's kubelet version. */
  kubelets: Record<string, string>;
  /** "1.32" (latest known patch of that minor) or "1.32.4". */
  target: string;
  /** Full versions Steward may install, e.g. from the package repository; one per minor suffices. */
  available: string[];
}

export type UpgradePath =
  { ok: true; steps: string[] } | { ok: false; field: 'target' | 'cluster'; reason: string };

/** The versions to step through, one minor at a time, or why there is no safe path. */
export function upgradePath(input: UpgradePathInput): UpgradePath {
  const refuse = (field: 'target' | 'cluster', reason: string): UpgradePath => ({
    ok: false,
    field,
    reason,
  });
  const current = parseVersion(input.controlPlane);
  if (!current || current.patch === undefined) {
    return refuse(
      'cluster',
      `the control plane's version "${input.controlPlane}" is not a full version`,
    );
  }
  const target = parseVersion(input.target);
  if (!target) return refuse('target', `"${input.target}" is not a version like 1.32 or 1.32.4`);
  if (target.major !== current.major)
    return refuse(
      'target',
      `a major version change (${formatVersion(current)} → ${formatVersion(target)}) is not supported`,
    );

  const available = input.available
    .map(parseVersion)
    .filter((v): v is Version => v?.patch !== undefined);
  const latestOf = (minor: number) =>
    available
      .filter((v) => v.major === current.major && v.minor === minor)
      .sort(compare)
      .at(-1);
  const resolved = target.patch === undefined ? latestOf(target.minor) : target;
  if (!resolved || !available.some((v) => compare(v, resolved) === 0)) {
    return refuse(
      'target',
      `${formatVersion(target)} is not an available version (${input.available.join(', ') || 'none'})`,
    );
  }
  if (compare(resolved, current) < 0) {
    return refuse(
      'target',
      `${formatVersion(resolved)} is older than the control plane's ${formatVersion(current)}; downgrades are not supported`,
    );
  }

  const kubelets: [string, Version][] = [];
  for (const [node, text] of Object.entries(input.kubelets)) {
    const kubelet = parseVersion(text);
    if (!kubelet || kubelet.patch === undefined)
      return refuse('cluster', `node ${node} reports kubelet version "${text}"`);
    if (compare(kubelet, current) > 0) {
      return refuse(
        'cluster',
        `node ${node}'s kubelet ${text} is newer than the control plane's ${formatVersion(current)}`,
      );
    }
    kubelets.push([node, kubelet]);
  }

  const steps: string[] = [];
  // Nodes still behind the control plane (an interrupted upgrade) are finished first.
  if (kubelets.some(([, k]) => compare(k, current) < 0)) steps.push(formatVersion(current));
  for (let minor = current.minor + 1; minor < resolved.minor; minor++) {
    const step = latestOf(minor);
    if (!step)
      return refuse('target', `no available version of ${current.major}.${minor} to step through`);
    steps.push(formatVersion(step));
  }
  if (compare(resolved, current) > 0) steps.push(formatVersion(resolved));

  const first = steps.length > 0 ? parseVersion(steps[0])! : current;
  for (const [node, kubelet] of kubelets) {
    const behind = first.minor - kubelet.minor;
    if (behind > 1) {
      return refuse(
        'cluster',
        `node ${node}'s kubelet ${formatVersion(kubelet)} is ${behind} minors behind ${formatVersion(first)}; a node steps one minor at a time, so upgrade it by hand first`,
      );
    }
  }
  return { ok: true, steps };
}
