import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { cephScenarioSchema } from './ceph/scenario';
import { novaScenarioSchema } from './nova/scenario';

const dnsName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)');
const version = z.string().regex(/^v\d+\.\d+\.\d+$/, 'must look like v1.30.14');
const quantity = z.union([z.string(), z.number()]).transform(String);
const intOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]);
const stringMap = z.record(z.string(), z.string());
const effect = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

const taint = z.object({ key: z.string(), value: z.string().optional(), effect }).strict();
const toleration = z
  .object({
    key: z.string().optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z.string().optional(),
    effect: effect.optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

const node = z
  .object({
    name: dnsName,
    /** With a count, the nodes are named `<name>-1` .. `<name>-<count>`. */
    count: z.number().int().min(1).optional(),
    role: z.enum(['control-plane', 'worker']).default('worker'),
    kubeletVersion: version.optional(),
    labels: stringMap.default({}),
    taints: z.array(taint).default([]),
    /** Cordoned from the start. */
    unschedulable: z.boolean().default(false),
    gpus: z.number().int().min(0).default(0),
    cpu: quantity.default('32'),
    memory: quantity.default('256Gi'),
    pods: z.number().int().min(1).default(110),
  })
  .strict();

const podTemplate = {
  namespace: dnsName.default('default'),
  /** Pod labels and selector; default `app: <name>`. */
  labels: stringMap.optional(),
  image: z.string().default('registry.k8s.io/pause:3.10'),
  nodeSelector: stringMap.optional(),
  /** A Kubernetes `Affinity`, passed through as written. */
  affinity: z.record(z.string(), z.unknown()).optional(),
  tolerations: z.array(toleration).default([]),
  cpu: quantity.default('100m'),
  memory: quantity.default('64Mi'),
  gpus: z.number().int().min(0).default(0),
  /** Mount an emptyDir at /scratch (so a drain needs --delete-emptydir-data). */
  emptyDir: z.boolean().default(false),
};

const pdb = z
  .object({ maxUnavailable: intOrPercent.optional(), minAvailable: intOrPercent.optional() })
  .strict()
  .refine((p) => (p.maxUnavailable === undefined) !== (p.minAvailable === undefined), {
    message: 'set exactly one of maxUnavailable or minAvailable',
  });

const deployment = z
  .object({
    name: dnsName,
    /** With a count, the Deployments are named `<name>-1` .. `<name>-<count>`. */
    count: z.number().int().min(1).optional(),
    replicas: z.number().int().min(0).default(1),
    pdb: pdb.optional(),
    ...podTemplate,
  })
  .strict();

const daemonSet = z.object({ name: dnsName, ...podTemplate }).strict();
const pod = z.object({ name: dnsName, node: dnsName, ...podTemplate }).strict();
const mirrorPod = z
  .object({
    name: dnsName,
    namespace: dnsName.default('kube-system'),
    /** Default `registry.k8s.io/<name>:<kubernetesVersion>`. */
    image: z.string().optional(),
  })
  .strict();

const addons = z
  .object({
    /** The upstream snapshot-controller of this version (and its CRDs) in namespace snapshot-controller. */
    snapshotController: version.optional(),
    /** A kube-prometheus-stack release: its prometheus-operator Deployment and that operator's CRDs. */
    monitoring: z
      .object({
        chart: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a chart version like 60.0.0'),
        operator: z.string().regex(/^v\d+\.\d+\.\d+$/, 'must look like v0.74.0'),
        namespace: dnsName.default('monitoring'),
      })
      .strict()
      .optional(),
    /**
     * The Tigera operator's lab chart (Steward installs it) and the lab's operator physics, which
     * moves a manifest-based Calico (kube-system's calico-node) to calico-system (lab/tigera/).
     */
    tigeraOperator: z.boolean().optional(),
  })
  .strict();

const host = z
  .object({
    /** NetBox device name; the Kubernetes node of the same name, when the scenario has one. */
    name: dnsName,
    /** Serial number in NetBox and in the BMC's FRU. */
    serial: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits and -'),
    /**
     * How Steward reaches the BMC: `in-band` (NetBox records its OOB IP) or `ddns` (NetBox has
     * no OOB IP; the lab's DNS serves the name built from the serial).
     */
    bmc: z.enum(['in-band', 'ddns']).default('in-band'),
    /** A FRU serial other than `serial` (a BMC that is not this host's: a fault to refuse). */
    bmcSerial: z.string().optional(),
    /** NetBox device status. */
    status: z.enum(['active', 'planned', 'staged', 'failed', 'offline']).default('active'),
    /** NetBox custom field `deployment_option`. */
    deployment: z.enum(['standard', 'none', 'custom']).default('standard'),
    /** NetBox custom field `custom_base_script`: the script for `deployment: custom`. */
    baseScript: z.string().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    /** Control-plane version, as kubeadm records it; the default kubelet version of nodes. */
    kubernetesVersion: version,
    namespaces: z.array(dnsName).default([]),
    nodes: z.array(node).min(1),
    deployments: z.array(deployment).default([]),
    daemonSets: z.array(daemonSet).default([]),
    pods: z.array(pod).default([]),
    /** Mirror pods (kubelet static pods) created on every control-plane node. */
    mirrorPods: z.array(mirrorPod).default([]),
    /** Add-ons installed from their upstream manifests (scripts/setup/addon-manifests.sh). */
    addons: addons.default({}),
    /** Bare-metal hosts: a NetBox device and an IPMI BMC each (the reinstall and eviction labs). */
    hosts: z.array(host).default([]),
    /** A real Ceph cluster under a lab Rook operator; started only when present (lab/ceph/). */
    ceph: cephScenarioSchema.optional(),
    /** Real Keystone and Nova with a nova-compute per hypervisor host; started only when present (lab/nova/). */
    nova: novaScenarioSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    for (const n of s.nodes) {
      for (const name of expand(n.name, n.count)) {
        if (names.has(name))
          ctx.addIssue({ code: 'custom', path: ['nodes'], message: `duplicate node ${name}` });
        names.add(name);
      }
    }
    const hostNames = new Set<string>();
    s.hosts.forEach((h, i) => {
      if (hostNames.has(h.name))
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', i, 'name'],
          message: `duplicate host ${h.name}`,
        });
      hostNames.add(h.name);
      if (h.deployment === 'custom' && !h.baseScript)
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', i, 'baseScript'],
          message: 'required when deployment is custom',
        });
    });
    s.nova?.hypervisors.forEach((h, i) => {
      if (!hostNames.has(h))
        ctx.addIssue({
          code: 'custom',
          path: ['nova', 'hypervisors', i],
          message: `no host named ${h} (every hypervisor is one of the hosts)`,
        });
    });
    s.pods.forEach((p, i) => {
      if (!names.has(p.node)) {
        ctx.addIssue({
          code: 'custom',
          path: ['pods', i, 'node'],
          message: `no node named ${p.node}`,
        });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioNode = Omit<z.output<typeof node>, 'count' | 'kubeletVersion'> & {
  kubeletVersion: string;
};
export type ScenarioDeployment = Omit<z.output<typeof deployment>, 'count'>;
export type ScenarioDaemonSet = z.output<typeof daemonSet>;
export type ScenarioPod = z.output<typeof pod>;
export type ScenarioMirrorPod = z.output<typeof mirrorPod>;
export type ScenarioAddons = z.output<typeof addons>;
export type ScenarioHost = z.output<typeof host>;

/** Validates `data`; the error lists every bad field by its path, e.g. `nodes[2].gpus`. */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
  throw new Error(`invalid ${source}:\n${lines.join('\n')}`);
}

export function loadScenario(path: string): Scenario {
  return parseScenario(parse(readFileSync(path, 'utf8')), path);
}

/** Node entries with `count` expanded and the scenario's version filled in. */
export function scenarioNodes(s: Scenario): ScenarioNode[] {
  return s.nodes.flatMap(({ count, ...n }) =>
    expand(n.name, count).map((name) => ({
      ...n,
      name,
      kubeletVersion: n.kubeletVersion ?? s.kubernetesVersion,
    })),
  );
}

export function scenarioDeployments(s: Scenario): ScenarioDeployment[] {
  return s.deployments.flatMap(({ count, ...d }) =>
    expand(d.name, count).map((name) => ({ ...d, name })),
  );
}

function expand(name: string, count: number | undefined): string[] {
  return count === undefined ? [name] : Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
