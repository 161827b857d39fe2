// Where each instance of a failed host goes. Nova's scheduler, given a burst of evacuations at
// once, sends them all to the same host (it sees none of the others' claims yet); Steward picks a
// destination per instance from the hypervisors' free capacity instead, each pick counting
// against the host it chose, so a burst spreads. Nova's scheduler still checks each choice.

export interface CandidateHost {
  host: string;
  state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  /** Free vCPUs and RAM as the hypervisor reports them (no overcommit counted). */
  freeVcpus: number;
  freeRamMb: number;
}

export interface InstanceSize {
  id: string;
  vcpus: number;
  ramMb: number;
}

export type TargetChoice = { id: string; target: string } | { id: string; reason: string };

/**
 * A destination for each instance, in the order given: the up, enabled host other than the
 * failed one with the most free RAM (then vCPUs, then name) that still fits it.
 */
export function chooseTargets(
  instances: InstanceSize[],
  hosts: CandidateHost[],
  failedHost: string,
): TargetChoice[] {
  const free = hosts
    .filter((h) => h.host !== failedHost && h.state === 'up' && h.status === 'enabled')
    .map((h) => ({ ...h }));
  return instances.map(({ id, vcpus, ramMb }) => {
    const fits = free
      .filter((h) => h.freeVcpus >= vcpus && h.freeRamMb >= ramMb)
      .sort(
        (a, b) =>
          b.freeRamMb - a.freeRamMb || b.freeVcpus - a.freeVcpus || a.host.localeCompare(b.host),
      );
    const best = fits[0];
    if (!best)
      return {
        id,
        reason:
          free.length === 0
            ? 'no capacity: no other hypervisor is up and enabled'
            : `no capacity: no up, enabled hypervisor has ${vcpus} vCPUs and ${ramMb} MB free`,
      };
    best.freeVcpus -= vcpus;
    best.freeRamMb -= ramMb;
    return { id, target: best.host };
  });
}
