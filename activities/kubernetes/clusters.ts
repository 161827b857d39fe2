// Kubernetes API clients per configured cluster, built lazily from each cluster's kubeconfig.
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, PolicyV1Api } from '@kubernetes/client-node';
import { invalidInput } from '../../workflows/api';

export interface ClusterConfig {
  kubeconfig: string;
  /** The kubeconfig context; its current context when absent. */
  context?: string;
}

export interface ClusterApis {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  policy: PolicyV1Api;
}

export class Clusters {
  private readonly built = new Map<string, ClusterApis>();

  constructor(private readonly config: Record<string, ClusterConfig>) {}

  names(): string[] {
    return Object.keys(this.config);
  }

  apis(cluster: string): ClusterApis {
    const cached = this.built.get(cluster);
    if (cached) return cached;
    const config = this.config[cluster];
    if (!config) {
      const known = this.names().join(', ') || 'none';
      throw invalidInput('cluster', `unknown cluster "${cluster}" (configured: ${known})`);
    }
    const kc = new KubeConfig();
    kc.loadFromFile(config.kubeconfig);
    if (config.context) kc.setCurrentContext(config.context);
    const apis = {
      kubeConfig: kc,
      core: kc.makeApiClient(CoreV1Api),
      apps: kc.makeApiClient(AppsV1Api),
      batch: kc.makeApiClient(BatchV1Api),
      policy: kc.makeApiClient(PolicyV1Api),
    };
    this.built.set(cluster, apis);
    return apis;
  }
}
