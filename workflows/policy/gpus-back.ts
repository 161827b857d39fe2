// When a node's GPUs count as back after its device-plugin restart.
import type { GpuFacts } from '../../activities/kubernetes/device-plugin';

/** All GPUs allocatable again and a Ready device-plugin pod that is not one of the `replaced`. */
export function gpusBack(facts: GpuFacts, replaced: string[]): boolean {
  return (
    facts.allocatable === facts.capacity &&
    facts.plugins.some((p) => p.ready && !replaced.includes(p.uid))
  );
}
