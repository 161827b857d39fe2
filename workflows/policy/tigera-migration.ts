// When the move of a manifest-based Calico (kube-system) to the Tigera operator is done: the
// operator says Calico is Available, calico-node runs from calico-system on every node, and
// nothing of the manifest install is left in kube-system.

/** What the cluster shows of the migration (readTigeraMigration). */
export interface TigeraMigrationFacts {
  /** The `default` Installation exists. */
  installation: boolean;
  /** TigeraStatus `calico`'s Available condition, when the operator has reported one. */
  available?: { status: string; message?: string };
  /** calico-system/calico-node: the nodes it should run on and those where it is ready. */
  calicoSystem?: { desired: number; ready: number };
  nodes: number;
  /** What is left in kube-system: `DaemonSet calico-node`, `Deployment calico-typha`, pods. */
  kubeSystem: string[];
}

/** What the migration still waits for, or undefined when it is done. */
export function tigeraMigrationWaitingFor(f: TigeraMigrationFacts): string | undefined {
  const waiting: string[] = [];
  if (!f.installation) waiting.push('no Installation "default"');
  if (f.available?.status !== 'True') {
    const said = f.available?.message ? ` (${f.available.message})` : '';
    waiting.push(`TigeraStatus calico not Available${said}`);
  }
  const ready = f.calicoSystem?.ready ?? 0;
  if (!f.calicoSystem || f.calicoSystem.desired !== f.nodes || ready !== f.nodes) {
    waiting.push(`calico-node ready in calico-system on ${ready} of ${f.nodes} nodes`);
  }
  if (f.kubeSystem.length > 0) waiting.push(`left in kube-system: ${f.kubeSystem.join(', ')}`);
  return waiting.length > 0 ? waiting.join('; ') : undefined;
}
