// Builds every activity from injected clients; the worker registers the result.
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bmcActivities } from './bmc/activities';
import type { BmcClientOptions } from './bmc/bmc-client';
import { cephActivities } from './ceph/activities';
import { rookActivities } from './ceph/rook';
import { rookWaitActivities } from './ceph/rook-waits';
import { scopedSecrets, type SecretResolver } from './common/secrets';
import { dnsActivities, type DnsDeps } from './dns/activities';
import { defaultAddonManifests } from './kubernetes/addon-bundles';
import { addonActivities } from './kubernetes/addons';
import { tigeraActivities } from './kubernetes/tigera';
import { clusterFactActivities } from './kubernetes/cluster-facts';
import { watchChanges } from './kubernetes/change-feed';
import { Clusters, type ClusterConfig } from './kubernetes/clusters';
import { devicePluginActivities } from './kubernetes/device-plugin';
import { evictionActivities } from './kubernetes/pod-eviction';
import { nodeCheckActivities } from './kubernetes/node-checks';
import { nodeActivities } from './kubernetes/nodes';
import { podActivities } from './kubernetes/pods';
import { kubernetesReleaseActivities } from './kubernetes/releases';
import { podBudgetActivities } from './kubernetes/pod-budgets';
import { baseScriptActivities } from './provisioning/base-scripts';
import { stepWaitActivities } from './kubernetes/step-waits';
import { upgradeJobActivities } from './kubernetes/upgrade-jobs';
import { NetboxClient, type NetboxConfig } from './netbox/client';
import { notificationActivities, type WebhookConfig } from './notifications/webhook';
import { deviceActivities } from './netbox/devices';
import { VaultClient, type VaultConfig } from './vault/client';
import { OpenStackClient, type OpenStackRegionConfig } from './openstack/client';
import { novaActivities } from './openstack/nova';
import { secretActivities } from './vault/secrets';
import { clusterGuardActivities } from './temporal/guard';
import { cordonHolderActivities } from './temporal/cordon-holders';
import { DEFAULT_MAX_UNAVAILABLE_NODES } from '../workflows/policy/cluster-leases';

export interface ActivityDeps {
  clusters: Record<string, ClusterConfig>;
  /** How often a drain round re-reads pods and budgets; kubectl waits 5 s after a refusal. */
  evictionPollMs?: number;
  /** Where the add-on manifests are (scripts/setup/addon-manifests.sh); default ~/.cache/steward/addons. */
  addonManifests?: string;
  /** Where reinstalled hosts' installers fetch their base scripts (`<url>/<host>/base-script`). */
  provisioningUrl?: string;
  /** The one directory a `custom` deployment's base script may come from; none: custom is off. */
  customScriptsDir?: string;
  /** Resolves secret references (`vault:...#key`) for the BMC activities; default the Vault client's. */
  resolveSecret?: SecretResolver;
  /** ipmitool settings: port (623), retries, timeouts. */
  bmc?: Partial<BmcClientOptions>;
  /** The DNS servers that hold BMCs' DDNS names; default the system's. */
  dns?: DnsDeps;
  netbox?: NetboxConfig;
  vault?: VaultConfig;
  /** OpenStack regions by name; passwords are Vault references resolved by `resolveSecret`. */
  openstack?: Record<string, OpenStackRegionConfig>;
  /** The Kubernetes releases upgrades may install (default: the ones Steward knows). */
  kubernetesReleases?: string[];
  /** The helm binary that upgrades Rook's operator and installs Tigera's (default: helm on PATH). */
  helm?: string;
  /** How long one ceph command (CLI or toolbox exec) may take (default 30 s). */
  cephTimeoutMs?: number;
  /** The operators' webhook for operation events; none: events are dropped. */
  webhook?: WebhookConfig;
  /** Steward's own Temporal, where operations take their leases from each cluster's guard. */
  temporal?: Client;
}

/** The clients activities share; the worker keeps them to close them on shutdown. */
export interface Clients {
  clusters: Clusters;
  netbox?: NetboxClient;
  vault?: VaultClient;
  openstack: OpenStackClient;
}

export function createClients(deps: ActivityDeps): Clients {
  const vault = deps.vault && new VaultClient(deps.vault);
  const netbox =
    deps.netbox && new NetboxClient(deps.netbox, netboxToken(deps.netbox, vault, deps.vault));
  const resolveSecret = deps.resolveSecret ?? secretsFrom(vault);
  const openstack = new OpenStackClient(
    deps.openstack ?? {},
    scopedSecrets(resolveSecret, 'openstack', deps.vault?.prefixes?.openstack),
  );
  return { clusters: new Clusters(deps.clusters), netbox, vault, openstack };
}

export function createActivities(deps: ActivityDeps, clients = createClients(deps)) {
  const { clusters } = clients;
  const vault = () => configured(clients.vault, 'Vault', 'vault.address');
  const resolveSecret = deps.resolveSecret ?? secretsFrom(clients.vault);
  const nodes = nodeActivities(clusters);
  const devicePlugin = devicePluginActivities(clusters);
  const upgradeJobs = upgradeJobActivities(clusters);
  const ceph = cephActivities(clusters, deps.cephTimeoutMs ?? 30_000);
  const rook = rookActivities(clusters, deps.helm ?? 'helm', 120_000);
  return {
    ...addonActivities(clusters, deps.addonManifests ?? defaultAddonManifests()),
    ...tigeraActivities(clusters, deps.helm ?? 'helm', 120_000),
    ...baseScriptActivities(deps.provisioningUrl, deps.customScriptsDir),
    ...clusterFactActivities(clusters),
    ...kubernetesReleaseActivities(deps.kubernetesReleases),
    ...devicePlugin,
    ...nodes,
    ...nodeCheckActivities(clusters),
    ...podActivities(clusters),
    ...podBudgetActivities(clusters),
    ...evictionActivities(clusters, deps.evictionPollMs ?? 250),
    ...stepWaitActivities({ ...nodes, ...devicePlugin, ...upgradeJobs }, watchChanges(clusters)),
    ...upgradeJobs,
    ...bmcActivities({
      resolveSecret: scopedSecrets(resolveSecret, 'bmc', deps.vault?.prefixes?.bmc),
      options: deps.bmc,
    }),
    ...dnsActivities(deps.dns),
    ...deviceActivities(() => configured(clients.netbox, 'NetBox', 'netbox.url')),
    ...secretActivities(vault),
    ...novaActivities(() => clients.openstack),
    ...ceph,
    ...rook,
    ...rookWaitActivities({ ...ceph, ...rook }),
    ...notificationActivities(deps.webhook ?? { uiUrl: 'http://127.0.0.1:8233' }),
    ...clusterGuardActivities({
      client: () => configured(deps.temporal, 'Temporal', "the worker's Temporal client"),
      maxUnavailableNodes: (cluster) =>
        deps.clusters[cluster]?.guard?.maxUnavailableNodes ?? DEFAULT_MAX_UNAVAILABLE_NODES,
    }),
    ...cordonHolderActivities(() =>
      configured(deps.temporal, 'Temporal', "the worker's Temporal client"),
    ),
  };
}

function netboxToken(
  config: NetboxConfig,
  vault: VaultClient | undefined,
  vaultConfig: VaultConfig | undefined,
): () => Promise<string> {
  const { tokenFile, tokenRef } = config;
  if (tokenFile && !tokenRef) return async () => (await readFile(tokenFile, 'utf8')).trim();
  if (tokenRef && !tokenFile) {
    if (!vault) throw new Error('netbox.tokenRef needs vault to be configured');
    const read = (ref: string) => vault.readSecret(ref, 'netbox.tokenRef');
    const scoped = scopedSecrets(read, 'netbox', vaultConfig?.prefixes?.netbox);
    return () => scoped(tokenRef);
  }
  throw new Error('netbox: set exactly one of tokenFile and tokenRef');
}

/** Secret references resolved by the worker's Vault client (refused when it has none). */
function secretsFrom(vault: VaultClient | undefined): SecretResolver {
  return (ref) => configured(vault, 'Vault', 'vault.address').readSecret(ref);
}

function configured<T>(client: T | undefined, system: string, setting: string): T {
  if (client) return client;
  throw ApplicationFailure.nonRetryable(
    `${system} is not configured for this worker (${setting} in its config)`,
    'NotConfigured',
  );
}

export type Activities = ReturnType<typeof createActivities>;
