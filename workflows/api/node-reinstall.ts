// Node reinstall: input, plan, status and result.
import { defineQuery } from '@temporalio/workflow';
import type { MaintenanceWindows } from '../policy/maintenance-window';
import type { OperationWaits } from './common';

/** What the installer runs on a reinstalled host: Steward's template, nothing, or an operator's file. */
export type DeploymentOption = 'standard' | 'none' | 'custom';

export const DEPLOYMENT_OPTIONS: readonly DeploymentOption[] = ['standard', 'none', 'custom'];

export interface NodeReinstallInput {
  /** The NetBox device; also the Kubernetes node of that name when the host has one. */
  node: string;
  /** The Kubernetes cluster the node would be in. */
  cluster: string;
  /** Default: the device's NetBox custom field `deployment_option`, else `standard`. */
  deployment?: DeploymentOption;
  /** The base script for `custom`, a path on the worker; default NetBox's `custom_base_script`. */
  customScript?: string;
  /** Seconds the drain may take before it waits for an operator. Default 600. */
  drainTimeoutSeconds?: number;
  /** Seconds from power-on until the node must be back Ready with a new boot ID. Default 1800. */
  rejoinTimeoutSeconds?: number;
  /** Vault references of the BMC login. Default `vault:secret/data/bmc/<node>#username|password`. */
  bmcCredentials?: { username: string; password: string };
  /** Changes start only inside this window (the checks before them run at once); default always. */
  window?: MaintenanceWindows;
  /**
   * The OpenStack region where the host is a Nova hypervisor (its compute service's host is
   * `node`): its service is disabled and its instances migrated away before the drain, and it is
   * enabled again once the reinstalled host's nova-compute reports. Default: not a hypervisor.
   */
  novaRegion?: string;
  /** Instances migrated at once off a hypervisor. Default 2. */
  migrationConcurrency?: number;
}

export type ReinstallStep =
  | 'validating'
  | 'credentials'
  | 'netbox-reinstalling'
  | 'compute-disable'
  | 'migrate-instances'
  | 'drain'
  | 'bmc'
  | 'publish-script'
  | 'power-off'
  | 'power-on'
  | 'rejoin'
  | 'compute-rejoin'
  | 'uncordon'
  | 'compute-enable'
  | 'netbox-active'
  | 'done';

export interface NodeReinstallStatus extends OperationWaits {
  node: string;
  cluster: string;
  step: ReinstallStep;
  deployment?: DeploymentOption;
  customScript?: string;
  /** Whether the host is a node of the cluster (else no drain and no rejoin to wait for). */
  kubernetesNode?: boolean;
  /** The BMC as reached, e.g. `127.0.1.2 (DDNS bmc-lab-2.oob.example)`. */
  bmc?: string;
  cordonedBySteward: boolean;
  /** The region where the host is a Nova hypervisor, as the input says. */
  novaRegion?: string;
  /** On a hypervisor: whether its compute service was disabled by Steward (and so is enabled again). */
  computeDisabledBySteward?: boolean;
  /** One line per step done, in order. */
  log: string[];
}

export interface NodeReinstallResult extends NodeReinstallStatus {
  outcome: 'reinstalled' | 'aborted';
  message: string;
}

export const nodeReinstallStatusQuery = defineQuery<NodeReinstallStatus>('nodeReinstallStatus');

/** How an instance would leave a hypervisor being reinstalled, or why it cannot. */
export interface InstanceMovePlan {
  id: string;
  name: string;
  status: string;
  kind?: 'live-migration' | 'migration';
  target?: string;
  problem?: string;
}

/** What a reinstall would do, read without changing anything. */
export interface ReinstallPlan {
  node: string;
  cluster: string;
  netboxStatus: string;
  deployment: DeploymentOption;
  customScript?: string;
  /** The script's size and SHA-256 as it would be published. */
  script: { bytes: number; sha256: string };
  kubernetesNode: boolean;
  bmc: string;
  bmcSerial: string;
  power: string;
  /** On a hypervisor: its compute service and how each instance would leave. */
  hypervisor?: { region: string; service: string; instances: InstanceMovePlan[] };
}
