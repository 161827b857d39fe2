// Builds every activity from injected clients; the worker registers the result.
import { clusterFactActivities } from './kubernetes/cluster-facts';
import { Clusters, type ClusterConfig } from './kubernetes/clusters';
import { devicePluginActivities } from './kubernetes/device-plugin';
import { evictionActivities } from './kubernetes/eviction';
import { nodeActivities } from './kubernetes/nodes';
import { podActivities } from './kubernetes/pods';
import { upgradeJobActivities } from './kubernetes/upgrade-jobs';

export interface ActivityDeps {
  clusters: Record<string, ClusterConfig>;
  /** How often a drain round re-reads pods and budgets; kubectl waits 5 s after a refusal. */
  evictionPollMs?: number;
}

export function createActivities(deps: ActivityDeps) {
  const clusters = new Clusters(deps.clusters);
  return {
    ...clusterFactActivities(clusters),
    ...devicePluginActivities(clusters),
    ...nodeActivities(clusters),
    ...podActivities(clusters),
    ...evictionActivities(clusters, deps.evictionPollMs ?? 250),
    ...upgradeJobActivities(clusters),
  };
}

export type Activities = ReturnType<typeof createActivities>;
