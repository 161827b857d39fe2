// Steward's configuration: a YAML file (STEWARD_CONFIG) overlaid by environment variables.
// Secrets are never read from the file: the Temporal API key comes from Temporal's own client
// configuration only (TEMPORAL_API_KEY or its TOML profile), which also wins over the file's
// Temporal address, namespace and certificates.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { kubernetesReleasesSchema } from '../activities/kubernetes/releases';
import { TASK_QUEUE } from '../workflows/api';
import { parseSecretRef } from '../workflows/policy/secret-ref';
import { temporalProfile } from './temporal-connection';

const path = z.string().min(1);

/** How Steward reaches a cluster's Ceph: the ceph CLI with a conf and keyring, or Rook's toolbox. */
const cephAccess = z.union([
  z.strictObject({
    cli: z.strictObject({ conf: path, keyring: path, id: z.string().optional() }),
  }),
  z.strictObject({
    toolbox: z.strictObject({
      namespace: z.string(),
      selector: z.string().optional(),
      container: z.string().optional(),
    }),
  }),
]);

const rook = z.strictObject({
  namespace: z.string().optional(),
  cephCluster: z.string().optional(),
  operator: z.string().optional(),
  helm: z.strictObject({
    repo: z.url(),
    release: z.string().optional(),
    chart: z.string().optional(),
  }),
});

/** The Tigera operator's chart: a repository (chart name default tigera-operator), or a path. */
const tigera = z.strictObject({
  helm: z
    .strictObject({
      repo: z.url().optional(),
      chart: z.string().min(1).optional(),
      version: z.string().optional(),
      release: z.string().optional(),
    })
    .refine((h) => h.repo !== undefined || h.chart !== undefined, {
      message: "set repo (a chart repository) or chart (the chart's path)",
    }),
});

const schema = z.strictObject({
  /**
   * Defaults for Temporal's own client configuration (a profile of its TOML file, the TEMPORAL_*
   * variables), which wins over them: workers/temporal-connection.ts.
   */
  temporal: z
    .strictObject({
      address: z.string().min(1).optional(),
      namespace: z.string().min(1).optional(),
      /** The profile of Temporal's TOML config file (TEMPORAL_CONFIG_FILE); `default` if unset. */
      profile: z.string().min(1).optional(),
      /** mTLS client certificate and key, and the CA that signed the server's certificate. */
      tls: z
        .strictObject({
          cert: path.optional(),
          key: path.optional(),
          ca: path.optional(),
          serverName: z.string().optional(),
        })
        .optional(),
      uiUrl: z.string().default('http://127.0.0.1:8233'),
      /**
       * Worker Versioning: the Worker Deployment's name and this worker's build ID (the build's,
       * `<version>+<commit>`, if unset; STEWARD_BUILD_ID). `versioning: false` for a Temporal
       * without Worker Deployments (before 1.28): every run then replays on the newest worker.
       */
      deployment: z
        .strictObject({
          name: z.string().min(1).default('steward'),
          buildId: z.string().min(1).optional(),
          versioning: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  taskQueue: z.string().default(TASK_QUEUE),
  clusters: z
    .record(
      z.string(),
      z.strictObject({
        kubeconfig: path,
        context: z.string().optional(),
        ceph: cephAccess.optional(),
        rook: rook.optional(),
        tigera: tigera.optional(),
        /** Nodes the cluster's operations may make unavailable at once, all together (default 2). */
        guard: z
          .strictObject({ maxUnavailableNodes: z.number().int().positive().optional() })
          .optional(),
      }),
    )
    .default({}),
  /** The helm binary that upgrades Rook's operator and installs Tigera's; `helm` on PATH if unset. */
  helm: path.optional(),
  /** The operators' webhook: JSON on start, wait for an operator, failure and completion. */
  notifications: z
    .strictObject({
      webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** `steward`: Steward's JSON event; `text`: `{ "text": … }` for Slack or Mattermost. */
      format: z.enum(['steward', 'text']).default('steward'),
    })
    .prefault({}),
  /** Prometheus metrics; all interfaces (`0.0.0.0`) where Prometheus scrapes from another host. */
  metrics: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(9464),
      bindAddress: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
      /** Seconds between counts of the running operations from visibility; 0 counts none. */
      censusIntervalSeconds: z.number().int().min(0).default(30),
    })
    .prefault({}),
  /** Liveness (`/livez`) and readiness (`/readyz`: the worker polls) over HTTP; off unless a port. */
  health: z
    .strictObject({
      port: z.number().int().min(1).max(65535).optional(),
      bindAddress: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
    })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
    .prefault({}),
  drain: z.strictObject({ evictionPollMs: z.number().int().positive().default(250) }).prefault({}),
  /** The add-on manifests directory (scripts/setup/addon-manifests.sh); ~/.cache/steward/addons if unset. */
  addons: z.strictObject({ manifests: path.optional() }).prefault({}),
  /** The Kubernetes releases upgrades may install; Steward's own list if unset. */
  kubernetes: z.strictObject({ releases: kubernetesReleasesSchema.optional() }).prefault({}),
  /** NetBox's URL and its API token: a file, or a Vault reference (`vault:secret/data/netbox#token`). */
  netbox: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      tokenFile: path.optional(),
      tokenRef: z.string().superRefine(validSecretRef).optional(),
    })
    .refine((n) => (n.tokenFile === undefined) !== (n.tokenRef === undefined), {
      message: 'set exactly one of tokenFile and tokenRef',
    })
    .optional(),
  /**
   * The BMCs (IPMI over LAN): UDP port, ipmitool's tries and per-try timeout, and whether they
   * report the boot flags' valid bit (`not-reported` only for BMCs that never do, like ipmi_sim).
   */
  bmc: z
    .strictObject({
      port: z.number().int().min(1).max(65535).default(623),
      retries: z.number().int().min(1).max(10).default(2),
      timeoutSeconds: z.number().int().min(1).max(60).default(2),
      bootFlagValidBit: z.enum(['reported', 'not-reported']).default('reported'),
    })
    .prefault({}),
  /** The DNS that holds BMCs' DDNS names, and how those names are built from a host's serial. */
  dns: z
    .strictObject({
      servers: z.array(z.string().min(1)).optional(),
      ddnsPattern: z.string().includes('{serial}', { message: 'must contain {serial}' }).optional(),
    })
    .prefault({}),
  /** Where reinstalled hosts' installers fetch their base scripts. */
  /**
   * Where reinstalled hosts' installers fetch their base scripts, and the one directory a `custom`
   * deployment's script may be read from (a path from an input or NetBox outside it is refused).
   */
  provisioning: z
    .strictObject({ url: z.url({ protocol: /^https?$/ }).optional(), scriptsDir: path.optional() })
    .prefault({}),
  /**
   * OpenStack regions by name (what workflows pass as `region`): Keystone's URL, the catalog's
   * region ID, and Steward's user, its password as a Vault reference.
   */
  openstack: z
    .record(
      z.string().min(1),
      z.strictObject({
        authUrl: z.url({ protocol: /^https?$/ }),
        region: z.string().min(1).optional(),
        username: z.string().min(1),
        passwordRef: z.string().superRefine(validSecretRef),
        project: z.string().min(1),
        userDomain: z.string().min(1).optional(),
        projectDomain: z.string().min(1).optional(),
        interface: z.enum(['public', 'internal', 'admin']).optional(),
      }),
    )
    .default({}),
  /** Vault or OpenBao, logged into with AppRole; the role and secret IDs are read from files. */
  vault: z
    .strictObject({
      address: z.url({ protocol: /^https?$/ }),
      roleIdFile: path,
      secretIdFile: path,
      approleMount: z.string().optional(),
      /** Per purpose, the Vault paths its references may name (KV v2 data paths, whole segments). */
      prefixes: z
        .strictObject({
          bmc: z.array(z.string().min(1)).min(1).optional(),
          openstack: z.array(z.string().min(1)).min(1).optional(),
          netbox: z.array(z.string().min(1)).min(1).optional(),
        })
        .optional(),
    })
    .optional(),
});

function validSecretRef(ref: string, ctx: z.RefinementCtx): void {
  try {
    parseSecretRef(ref);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^secretRef: /, '') });
  }
}

type ParsedConfig = z.output<typeof schema>;

/** The configuration, with the Temporal address and namespace in force (the profile's, else the file's). */
export type StewardConfig = Omit<ParsedConfig, 'temporal'> & {
  temporal: ParsedConfig['temporal'] & { address: string; namespace: string };
};

export class ConfigError extends Error {}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const overlay: Record<string, unknown> = {};
  if (env.STEWARD_BUILD_ID) overlay.temporal = { deployment: { buildId: env.STEWARD_BUILD_ID } };
  if (env.STEWARD_TASK_QUEUE) overlay.taskQueue = env.STEWARD_TASK_QUEUE;
  if (env.STEWARD_METRICS_PORT) overlay.metrics = { port: Number(env.STEWARD_METRICS_PORT) };
  // The environment suits a webhook URL that carries a token better than a file in the repo.
  if (env.STEWARD_WEBHOOK_URL) overlay.notifications = { webhookUrl: env.STEWARD_WEBHOOK_URL };
  if (env.STEWARD_LOG_LEVEL) overlay.log = { level: env.STEWARD_LOG_LEVEL };
  if (env.STEWARD_ADDON_MANIFESTS) overlay.addons = { manifests: env.STEWARD_ADDON_MANIFESTS };
  return overlay;
}

function merge(
  base: Record<string, unknown>,
  overlay: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === undefined) continue; // an unset variable must not erase the file's value
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Loads the file named by STEWARD_CONFIG (if any) and the environment; paths resolve from the file. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StewardConfig {
  const file = env.STEWARD_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = (parse(readFileSync(file, 'utf8')) as Record<string, unknown>) ?? {};
    } catch (err) {
      throw new ConfigError(`${file}: ${(err as Error).message}`);
    }
  }
  const result = schema.safeParse(merge(fromFile, fromEnvironment(env)));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(
      `${file ?? 'environment'}: ${issue.path.join('.') || 'config'}: ${issue.message}`,
    );
  }
  const parsed = result.data;
  let standard: { address: string; namespace: string };
  try {
    standard = temporalProfile(parsed.temporal, env);
  } catch (err) {
    // A TOML file that does not parse, or a profile it lacks: Temporal's message says which.
    throw new ConfigError(`Temporal client configuration: ${(err as Error).message}`);
  }
  const config: StewardConfig = {
    ...parsed,
    temporal: { ...parsed.temporal, address: standard.address, namespace: standard.namespace },
  };
  const base = file ? dirname(resolve(file)) : process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  for (const cluster of Object.values(config.clusters)) {
    cluster.kubeconfig = abs(cluster.kubeconfig);
    const cli = cluster.ceph && 'cli' in cluster.ceph ? cluster.ceph.cli : undefined;
    if (cli) Object.assign(cli, { conf: abs(cli.conf), keyring: abs(cli.keyring) });
    const tigeraChart = cluster.tigera?.helm;
    if (tigeraChart?.chart && !tigeraChart.repo) tigeraChart.chart = abs(tigeraChart.chart);
  }
  if (config.helm) config.helm = abs(config.helm);
  if (config.addons.manifests) config.addons.manifests = abs(config.addons.manifests);
  if (config.provisioning.scriptsDir) {
    config.provisioning.scriptsDir = abs(config.provisioning.scriptsDir);
  }
  if (config.netbox?.tokenFile) config.netbox.tokenFile = abs(config.netbox.tokenFile);
  if (config.vault) {
    config.vault.roleIdFile = abs(config.vault.roleIdFile);
    config.vault.secretIdFile = abs(config.vault.secretIdFile);
  }
  const tls = config.temporal.tls;
  if (tls) for (const k of ['cert', 'key', 'ca'] as const) if (tls[k]) tls[k] = abs(tls[k]!);
  return config;
}
