// The instances' evacuation off a fenced hypervisor: each to the host Steward chose, followed to
// its end, retried with backoff. No evacuation is posted after a wait (a backoff) until the fence
// is read again: a host powered on meanwhile stops every further post.
import { sleep } from '@temporalio/workflow';
import type { InstanceEvacuation } from './api';
import { activityProblem } from './activity-errors';
import { planTargets } from './hypervisor-eviction-reads';
import { followMoves as follow, hostCalls as act, summarized } from './operation/activity-profiles';

export interface Evacuation {
  region: string;
  host: string;
  concurrency: number;
  maxAttempts: number;
  backoffSeconds: number;
  /** Reads the fence again: a problem (the host is on) stops further posts. */
  fenceHolds: () => Promise<string | undefined>;
  /** Called on every change of an instance. */
  show: () => void;
  /** When each instance's first evacuation was asked for (kept across an operator's retries). */
  firstRequest: Map<string, number>;
}

/** Each instance's size, for the choice of targets. */
export type Sizes = Map<string, { id: string; vcpus: number; ramMb: number }>;

/**
 * Evacuates `list` (bounded concurrency); afterwards each is moved or failed with a reason.
 * The fence's problem, when a re-read found the host on, else undefined.
 */
export async function evacuateAll(
  e: Evacuation,
  list: InstanceEvacuation[],
  sizes: Sizes,
): Promise<string | undefined> {
  const choices = await planTargets(
    e.region,
    e.host,
    list.map((i) => sizes.get(i.id)!),
  );
  const queue: { i: InstanceEvacuation; target: string }[] = [];
  for (const [n, choice] of choices.entries()) {
    if ('target' in choice) queue.push({ i: list[n], target: choice.target });
    else Object.assign(list[n], { state: 'failed', reason: choice.reason });
  }
  let fenceProblem: string | undefined;
  const worker = async () => {
    for (let next = queue.shift(); next && !fenceProblem; next = queue.shift())
      fenceProblem = await evacuateOne(e, next.i, next.target);
    // What the fence's problem left unposted is failed for the same reason.
    for (const { i } of queue.splice(0))
      Object.assign(i, { state: 'failed', reason: fenceProblem });
  };
  await Promise.all(Array.from({ length: Math.min(e.concurrency, queue.length) }, worker));
  e.show();
  return fenceProblem;
}

/** One instance, until it settled elsewhere or ran out of attempts; the fence's problem, if any. */
async function evacuateOne(
  e: Evacuation,
  i: InstanceEvacuation,
  target: string,
): Promise<string | undefined> {
  Object.assign(i, { state: 'evacuating', target, reason: undefined });
  e.show();
  for (let round = 1; ; round++) {
    if (round > 1) {
      const fence = await e.fenceHolds().catch(activityProblem);
      if (fence !== undefined) {
        Object.assign(i, { state: 'failed', reason: fence });
        return fence;
      }
    }
    i.attempts++;
    if (!e.firstRequest.has(i.id)) e.firstRequest.set(i.id, Date.now());
    // A later attempt leaves the destination to Nova's scheduler: the chosen one may be the problem.
    const problem = await attempt(e, i, round === 1 ? target : undefined).catch(activityProblem);
    if (problem === undefined) {
      const seconds = (Date.now() - e.firstRequest.get(i.id)!) / 1000;
      Object.assign(i, { state: 'moved', seconds });
      e.show();
      return undefined;
    }
    i.reason = problem;
    if (round >= e.maxAttempts) {
      i.state = 'failed';
      e.show();
      return undefined;
    }
    e.show();
    await sleep(e.backoffSeconds * 1000 * 2 ** (round - 1));
  }
}

/** Posts the evacuation (once: the activity refuses a second while one is in flight) and follows it. */
async function attempt(
  e: Evacuation,
  i: InstanceEvacuation,
  targetHost: string | undefined,
): Promise<string | undefined> {
  const { region, host } = e;
  const to = targetHost ?? "a host of Nova's choice";
  await summarized(act.evacuateServer, `evacuate ${i.name} → ${to}`, {
    region,
    serverId: i.id,
    sourceHost: host,
    targetHost,
  });
  const { server, migration } = await summarized(
    follow.awaitEvacuation,
    `follow ${i.name} off ${host}`,
    {
      region,
      serverId: i.id,
      sourceHost: host,
    },
  );
  const settledElsewhere =
    server.host !== host &&
    server.status === i.expectedStatus &&
    (migration === undefined || ['done', 'completed'].includes(migration.status));
  if (settledElsewhere) {
    i.to = server.host ?? undefined;
    return undefined;
  }
  return (
    server.fault ??
    `migration ${migration?.status ?? 'none'}; instance ${server.status} on ${server.host ?? 'no host'}`
  );
}
