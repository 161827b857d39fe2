// The workflow bundle's entry: every operation Steward runs.
export { drainNode } from './node-drain';
export { planDrain } from './drain-plan';
export { uncordonNode } from './node-uncordon';
export { planKubernetesUpgrade } from './kubernetes-upgrade-plan';
export { upgradeNode } from './node-upgrade';
export { kubernetesUpgrade } from './kubernetes-upgrade';
export { nodeReinstall } from './node-reinstall';
export { planReinstall } from './reinstall-plan';
export { netboxReconcile } from './netbox-reconcile';
export { rookCephUpgrade } from './rook-ceph-upgrade';
export { planRookCephUpgrade } from './rook-ceph-upgrade-plan';
export { cephHealthCheck } from './ceph-health-check';
export { hypervisorEviction } from './hypervisor-eviction';
export { hypervisorEvictionWatch } from './hypervisor-eviction-watch';
export { planHypervisorEviction } from './hypervisor-eviction-plan';
export { clusterGuard } from './cluster-guard';
