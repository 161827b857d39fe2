// The CephCluster as the lab reads and writes it (the fields the trimmed CRD keeps).
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { CEPH_CLUSTER, ROOK_NAMESPACE } from './rook-objects';

export interface CephClusterStatus {
  phase?: string;
  state?: string;
  message?: string;
  version?: { image: string; version: string };
  ceph?: {
    health: string;
    details?: Record<string, { severity: string; message: string }>;
    lastChecked?: string;
    lastChanged?: string;
    previousHealth?: string;
    capacity?: { bytesTotal: number; bytesUsed: number; bytesAvailable: number };
    versions?: Record<string, Record<string, number>>;
    fsid?: string;
  };
  observedGeneration?: number;
}

export interface CephClusterResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; generation?: number; resourceVersion?: string };
  spec: { cephVersion?: { image?: string } };
  status?: CephClusterStatus;
}

export const CEPH_CLUSTER_REF = {
  group: 'ceph.rook.io',
  version: 'v1',
  namespace: ROOK_NAMESPACE,
  plural: 'cephclusters',
  name: CEPH_CLUSTER,
};

export async function readCephCluster(kc: KubeConfig): Promise<CephClusterResource> {
  return (await kc
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject(CEPH_CLUSTER_REF)) as CephClusterResource;
}
