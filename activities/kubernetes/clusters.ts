// Kubernetes API clients per configured cluster, built lazily from each cluster's kubeconfig.
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { invalidInput } from '../../workflows/api';
import type { RookConfig } from '../ceph/rook';
import type { CephAccess } from '../ceph/transport';
import type { TigeraConfig } from './tigera';

export interface ClusterConfig {
  kubeconfig: string;
  /** The kubeconfig context; its current context when absent. */
  context?: string;
  /** How to reach the cluster's Ceph (the ceph CLI here, or the Rook toolbox). */
  ceph?: CephAccess;
  /** Where Rook runs in the cluster and where its chart comes from. */
  rook?: RookConfig;
  /** Where the Tigera operator's chart comes from, for the migration at 1.26. */
  tigera?: TigeraConfig;
  /** The cluster's guard: nodes its operations may make unavailable at once, all together. */
  guard?: { maxUnavailableNodes?: number };
}

export interface ClusterApis {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  policy: PolicyV1Api;
  custom: CustomObjectsApi;
}

export class Clusters {
  private readonly built = new Map<string, ClusterApis>();

  constructor(private readonly configs: Record<string, ClusterConfig>) {}

  names(): string[] {
    return Object.keys(this.configs);
  }

  /** The cluster's configuration; an unknown cluster is bad input naming the field `cluster`. */
  config(cluster: string): ClusterConfig {
    const config = this.configs[cluster];
    if (!config) {
      const known = this.names().join(', ') || 'none';
      throw invalidInput('cluster', `unknown cluster "${cluster}" (configured: ${known})`);
    }
    return config;
  }

  apis(cluster: string): ClusterApis {
    const cached = this.built.get(cluster);
    if (cached) return cached;
    const config = this.config(cluster);
    const kc = new KubeConfig();
    kc.loadFromFile(config.kubeconfig);
    if (config.context) kc.setCurrentContext(config.context);
    const apis = {
      kubeConfig: kc,
      core: kc.makeApiClient(CoreV1Api),
      apps: kc.makeApiClient(AppsV1Api),
      batch: kc.makeApiClient(BatchV1Api),
      policy: kc.makeApiClient(PolicyV1Api),
      custom: kc.makeApiClient(CustomObjectsApi),
    };
    this.built.set(cluster, apis);
    return apis;
  }
}
