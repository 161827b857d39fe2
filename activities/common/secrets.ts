import { invalidInput } from '../../workflows/api';
import { parseSecretRef } from '../../workflows/policy/secret-ref';

/**
 * Resolves a secret reference, e.g. `vault:secret/data/bmc/node-7#password`, to its value.
 * Workflows carry only references; activities resolve them through the one the worker injects.
 */
export type SecretResolver = (ref: string) => Promise<string>;

/** What a secret is for: each purpose resolves references only under its own Vault paths. */
export type SecretPurpose = 'bmc' | 'openstack' | 'netbox';

export const DEFAULT_SECRET_PREFIXES: Record<SecretPurpose, string[]> = {
  bmc: ['secret/data/bmc/'],
  openstack: ['secret/data/openstack/'],
  netbox: ['secret/data/netbox'],
};

const FIELD: Record<SecretPurpose, string> = {
  bmc: 'bmc.credentials',
  openstack: 'openstack.passwordRef',
  netbox: 'netbox.tokenRef',
};

/**
 * `resolve`, refusing a reference outside `prefixes` (whole path segments): a BMC reference from
 * an input or NetBox must not make the worker read, and send to a BMC, the NetBox token.
 */
export function scopedSecrets(
  resolve: SecretResolver,
  purpose: SecretPurpose,
  prefixes: string[] = DEFAULT_SECRET_PREFIXES[purpose],
): SecretResolver {
  const roots = prefixes.map((p) => p.replace(/\/+$/, ''));
  return async (ref) => {
    const { path } = parseSecretRef(ref, FIELD[purpose]);
    if (!roots.some((root) => path === root || path.startsWith(`${root}/`))) {
      throw invalidInput(
        FIELD[purpose],
        `${ref} is outside the Vault paths allowed for ${purpose} secrets (vault.prefixes.${purpose}: ${roots.join(', ')})`,
      );
    }
    return resolve(ref);
  };
}
