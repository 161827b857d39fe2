// Builds every activity from injected clients; the worker registers the result.
import { bmcActivities } from './bmc/activities';
import type { BmcClientOptions } from './bmc/bmc-client';
import { cephActivities } from './ceph/activities';
import { rookActivities } from './ceph/rook';
import type { SecretResolver } from './common/secrets';
import { dnsActivities, type DnsDeps } from './dns/activities';
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
  /** Resolves secret references (`vault:...#key`) for the BMC activities: the Vault client's. */
  resolveSecret?: SecretResolver;
  /** ipmitool settings: port (623), retries, timeouts. */
  bmc?: Partial<BmcClientOptions>;
  /** The DNS servers that hold BMCs' DDNS names; default the system's. */
  dns?: DnsDeps;
  /** The helm binary that upgrades Rook's operator (default: helm on PATH). */
  helm?: string;
  /** How long one ceph command (CLI or toolbox exec) may take (default 30 s). */
  cephTimeoutMs?: number;
}

const noSecretResolver: SecretResolver = (ref) =>
  Promise.reject(new Error(`cannot resolve ${ref}: the worker has no secret resolver`));

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
    ...bmcActivities({ resolveSecret: deps.resolveSecret ?? noSecretResolver, options: deps.bmc }),
    ...dnsActivities(deps.dns),
    ...cephActivities(clusters, deps.cephTimeoutMs ?? 30_000),
    ...rookActivities(clusters, deps.helm ?? 'helm', 120_000),
  };
}

export type Activities = ReturnType<typeof createActivities>;
