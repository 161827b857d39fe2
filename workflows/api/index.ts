// The public contract between Steward's triggers (CLI, UI, Schedules) and its workflows, one
// file per operation plus what they share; importers use this index.
export * from './common';
export * from './guard';
export * from './infrastructure-failures';
export * from './drain';
export * from './kubernetes-upgrade';
export * from './node-reinstall';
export * from './netbox-reconcile';
export * from './rook-ceph-upgrade';
export * from './hypervisor-eviction';
