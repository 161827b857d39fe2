// Builds every activity from injected clients; the worker registers the result.
import { defaultAddonManifests } from './kubernetes/addon-bundles';
import { addonActivities } from './kubernetes/addons';
import { clusterFactActivities } from './kubernetes/cluster-facts';
import { Clusters, type ClusterConfig } from './kubernetes/clusters';
import { devicePluginActivities } from './kubernetes/device-plugin';
import { evictionActivities } from './kubernetes/eviction';
import { nodeCheckActivities } from './kubernetes/node-checks';
import { nodeActivities } from './kubernetes/nodes';
import { podActivities } from './kubernetes/pods';
import { baseScriptActivities } from './provisioning/base-scripts';
import { stepWaitActivities } from './kubernetes/step-waits';
import { upgradeJobActivities } from './kubernetes/upgrade-jobs';

export interface ActivityDeps {
  clusters: Record<string, ClusterConfig>;
  /** How often a drain round re-reads pods and budgets; kubectl waits 5 s after a refusal. */
  evictionPollMs?: number;
  /** Where the add-on manifests are (scripts/setup/addon-manifests.sh); default ~/.cache/steward/addons. */
  addonManifests?: string;
  /** Where reinstalled hosts' installers fetch their base scripts (`<url>/<host>/base-script`). */
  provisioningUrl?: string;
}

export function createActivities(deps: ActivityDeps) {
  const clusters = new Clusters(deps.clusters);
  const nodes = nodeActivities(clusters);
  const devicePlugin = devicePluginActivities(clusters);
  const upgradeJobs = upgradeJobActivities(clusters);
  return {
    ...addonActivities(clusters, deps.addonManifests ?? defaultAddonManifests()),
    ...baseScriptActivities(deps.provisioningUrl),
    ...clusterFactActivities(clusters),
    ...devicePlugin,
    ...nodes,
    ...nodeCheckActivities(clusters),
    ...podActivities(clusters),
    ...evictionActivities(clusters, deps.evictionPollMs ?? 250),
    ...stepWaitActivities({ ...nodes, ...devicePlugin, ...upgradeJobs }),
    ...upgradeJobs,
  };
}

export type Activities = ReturnType<typeof createActivities>;
