// Validates a reinstall request, and settles the deployment option against what NetBox says,
// before anything is changed.
import { z } from 'zod';
import { DEPLOYMENT_OPTIONS, invalidInput, type DeploymentOption } from '../api';
import { clusterName, nodeName, parseInput } from './drain-input';
import { maintenanceWindowsSchema } from './maintenance-window';

const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

const seconds = (fallback: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .positive('must be greater than 0')
    .max(MAX_TIMEOUT_SECONDS, `must be at most ${MAX_TIMEOUT_SECONDS} (7 days)`)
    .default(fallback);

const secretRef = z
  .string()
  .regex(
    /^vault:[^#\s]+#[^#\s]+$/,
    'must be a Vault reference like vault:secret/data/bmc/node-7#password',
  );

const reinstallInput = z.strictObject({
  node: nodeName,
  cluster: clusterName,
  deployment: z
    .enum(DEPLOYMENT_OPTIONS as [DeploymentOption, ...DeploymentOption[]], {
      error: `must be one of ${DEPLOYMENT_OPTIONS.join(', ')}`,
    })
    .optional(),
  customScript: z.string().min(1, 'must not be empty').optional(),
  drainTimeoutSeconds: seconds(600),
  rejoinTimeoutSeconds: seconds(1800),
  bmcCredentials: z.strictObject({ username: secretRef, password: secretRef }).optional(),
  window: maintenanceWindowsSchema.optional(),
  novaRegion: clusterName.optional(),
  migrationConcurrency: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(16, 'must be at most 16')
    .default(2),
});

export type ReinstallRequest = z.output<typeof reinstallInput> & {
  bmcCredentials: { username: string; password: string };
};

export function parseReinstallInput(input: unknown): ReinstallRequest {
  const parsed = parseInput(reinstallInput, input);
  if (
    parsed.customScript !== undefined &&
    parsed.deployment !== undefined &&
    parsed.deployment !== 'custom'
  ) {
    throw invalidInput(
      'customScript',
      `only goes with deployment custom, not ${parsed.deployment}`,
    );
  }
  return {
    ...parsed,
    bmcCredentials: parsed.bmcCredentials ?? {
      username: `vault:secret/data/bmc/${parsed.node}#username`,
      password: `vault:secret/data/bmc/${parsed.node}#password`,
    },
  };
}

/** The NetBox custom fields that choose a device's deployment. */
export interface DeploymentFields {
  deploymentOption?: string | null;
  customBaseScript?: string | null;
}

/** The custom fields as a device's NetBox facts carry them. */
export function deploymentFields(device: {
  customFields: Record<string, unknown>;
}): DeploymentFields {
  const text = (name: string) => {
    const value = device.customFields[name];
    return typeof value === 'string' ? value : null;
  };
  return {
    deploymentOption: text('deployment_option'),
    customBaseScript: text('custom_base_script'),
  };
}

export interface Deployment {
  deployment: DeploymentOption;
  customScript?: string;
}

/** The request's option, else the device's NetBox custom field, else `standard`. */
export function chooseDeployment(
  request: Pick<ReinstallRequest, 'node' | 'deployment' | 'customScript'>,
  device: DeploymentFields,
): Deployment {
  const fromNetbox = device.deploymentOption ?? undefined;
  if (
    request.deployment === undefined &&
    fromNetbox !== undefined &&
    !DEPLOYMENT_OPTIONS.includes(fromNetbox as DeploymentOption)
  ) {
    throw invalidInput(
      'deployment',
      `NetBox device ${request.node} has deployment_option "${fromNetbox}", not one of ${DEPLOYMENT_OPTIONS.join(', ')}; give deployment explicitly`,
    );
  }
  const deployment =
    request.deployment ?? (fromNetbox as DeploymentOption | undefined) ?? 'standard';
  if (deployment !== 'custom') return { deployment };
  const customScript = request.customScript ?? (device.customBaseScript?.trim() || undefined);
  if (!customScript) {
    throw invalidInput(
      'customScript',
      `is required for deployment custom (neither given nor in NetBox custom_base_script of ${request.node})`,
    );
  }
  return { deployment, customScript };
}
