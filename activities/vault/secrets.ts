// Vault activities. None returns a secret: results are recorded in workflow history.
import type { SecretFacts, VaultClient } from './client';

export function secretActivities(vault: () => VaultClient) {
  return {
    /** Fails fast, naming `field`, when a reference does not resolve; returns no value. */
    async checkSecret({ ref, field }: { ref: string; field?: string }): Promise<SecretFacts> {
      return vault().checkSecret(ref, field);
    },
  };
}
