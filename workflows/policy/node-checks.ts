// The checks after a node's upgrade and pause: the node Ready at the new kubelet, the control
// plane healthy, and no pod on the node crash-looping. Each problem is one line an operator reads.

export interface NodeCheckFacts {
  node: { ready: boolean; kubeletVersion: string };
  /** The apiserver's /readyz answer: ok, or its failing checks. */
  apiserver: { ready: boolean; detail: string };
  /** kube-system pods labelled tier=control-plane (kubeadm's static pods). */
  controlPlanePods: { name: string; ready: boolean }[];
  /** Containers of pods on the node waiting in CrashLoopBackOff. */
  crashLooping: { pod: string; container: string; restarts: number }[];
}

export function nodeCheckProblems(facts: NodeCheckFacts, version: string): string[] {
  const problems: string[] = [];
  if (!facts.node.ready) problems.push('node is NotReady');
  if (facts.node.kubeletVersion !== version) {
    problems.push(`kubelet reports ${facts.node.kubeletVersion}, not ${version}`);
  }
  if (!facts.apiserver.ready) problems.push(`apiserver not ready: ${facts.apiserver.detail}`);
  const down = facts.controlPlanePods.filter((p) => !p.ready).map((p) => p.name);
  if (down.length > 0) problems.push(`control-plane pod(s) not Ready: ${down.join(', ')}`);
  for (const c of facts.crashLooping) {
    problems.push(
      `pod ${c.pod} container ${c.container} is crash-looping (${c.restarts} restarts)`,
    );
  }
  return problems;
}
