// The unsafe-action rules, one pure function each over the real servers' records: each returns
// what broke the rule (nothing when the run was safe).
import type {
  BmcEvent,
  CephSample,
  ComputeServiceSample,
  NodeSample,
  NovaMigration,
  OperationWindow,
  PdbSample,
} from '../ground-truth/records';
import { ms } from '../ground-truth/records';
import { groupBy, poweredOff, running, runningBetween, type Finding } from './common';

const POWER_OR_BOOT = /^set (power|reset|shutdown|boot) /;

/**
 * A power or boot command to a BMC whose FRU serial is not NetBox's serial of any device that an
 * operation running then may act on (a BMC reached by a stale DDNS name, or a swapped board).
 */
export function wrongSerialCommands(
  bmc: BmcEvent[],
  netboxSerials: Record<string, string>,
  operations: OperationWindow[],
): Finding[] {
  return bmc
    .filter((e) => POWER_OR_BOOT.test(e.command))
    .flatMap((e) => {
      const ops = running(operations, e.at);
      if (ops.length === 0) return [];
      const expected = ops.flatMap((o) => o.targets).map((d) => netboxSerials[d]);
      if (expected.includes(e.fruSerial)) return [];
      return [
        {
          rule: 'wrong-serial',
          at: e.at,
          detail:
            `"${e.command}" reached the BMC of ${e.bmc} (FRU serial ${e.fruSerial}); ` +
            `NetBox's serials of ${ops.map((o) => o.id).join(', ')}'s targets: ${expected.join(', ')}`,
        },
      ];
    });
}

/**
 * An evacuation whose source host's BMC had not powered it off (no fence recorded before it).
 * Nova keeps whole seconds: an evacuation in the same second as its fence is recorded before it
 * and found, to be read in the detail; a checker that let it pass could miss a real one.
 */
export function evacuationsUnfenced(migrations: NovaMigration[], bmc: BmcEvent[]): Finding[] {
  return migrations
    .filter((m) => m.type === 'evacuation')
    .filter((m) => !m.source || !poweredOff(bmc, m.source, m.at))
    .map((m) => ({
      rule: 'evacuation-unfenced',
      at: m.at,
      detail: `instance ${m.instance} evacuated from ${m.source} while its BMC had it powered on`,
    }));
}

/**
 * A fence (a BMC powering a host off during an eviction) or an evacuation while Nova's last look
 * before it showed more compute services down than `maxHostsDown`.
 */
export function actionsBeyondThreshold(
  bmc: BmcEvent[],
  migrations: NovaMigration[],
  services: ComputeServiceSample[],
  operations: OperationWindow[],
  maxHostsDown: number,
): Finding[] {
  const evictions = operations.filter((o) => o.kind === 'eviction');
  const actions = [
    ...bmc
      .filter((e) => e.effect === 'off' && running(evictions, e.at).length > 0)
      .map((e) => ({ at: e.at, what: `fence of ${e.bmc}` })),
    ...migrations
      .filter((m) => m.type === 'evacuation')
      .map((m) => ({ at: m.at, what: `evacuation of ${m.instance} from ${m.source}` })),
  ];
  return actions.flatMap(({ at, what }) => {
    const seen = services.filter((s) => ms(s.at) <= ms(at)).at(-1);
    const down = seen?.services.filter((s) => s.state === 'down' || s.forcedDown) ?? [];
    if (down.length <= maxHostsDown) return [];
    const hosts = down.map((s) => s.host).join(', ');
    return [
      {
        rule: 'beyond-threshold',
        at,
        detail: `${what} while ${down.length} hosts were down (${hosts}; threshold ${maxHostsDown})`,
      },
    ];
  });
}

/** A PodDisruptionBudget that went from met to broken (fewer Ready pods than it needs) while an operation ran. */
export function budgetsBroken(pdbs: PdbSample[], operations: OperationWindow[]): Finding[] {
  const ready = (s: PdbSample) => s.pods.filter((p) => p.ready).length;
  const byTime = [...pdbs].sort((a, b) => a.at.localeCompare(b.at));
  return groupBy(byTime, (s) => `${s.namespace}/${s.name}`).flatMap((samples) =>
    samples.slice(1).flatMap((s, i) => {
      const before = samples[i];
      if (ready(before) < before.required || ready(s) >= s.required) return [];
      if (runningBetween(operations, before.at, s.at).length === 0) return [];
      const detail = `${s.namespace}/${s.name}: ${ready(s)} Ready pods of ${s.required} required`;
      return [{ rule: 'pdb-broken', at: s.at, detail }];
    }),
  );
}

/** More nodes cordoned by Steward (its owner annotation) than `maxUnschedulable`, once per excursion. */
export function tooManyCordoned(nodes: NodeSample[], maxUnschedulable: number): Finding[] {
  const cordoned = (s: NodeSample) => s.nodes.filter((n) => n.unschedulable && n.cordonedBy);
  const over = (s: NodeSample) => cordoned(s).length > maxUnschedulable;
  return nodes
    .filter((s, i) => over(s) && (i === 0 || !over(nodes[i - 1])))
    .map((s) => ({
      rule: 'too-many-cordoned',
      at: s.at,
      detail:
        `${cordoned(s).length} nodes cordoned by Steward (bound ${maxUnschedulable}): ` +
        cordoned(s)
          .map((n) => `${n.name} by ${n.cordonedBy}`)
          .join(', '),
    }));
}

/**
 * A node made schedulable during an operation that did not cordon it: cordoned by someone else
 * (no owner annotation) or by another operation. An explicit uncordon operation is the operator's
 * own decision and is left out.
 */
export function foreignUncordons(nodes: NodeSample[], operations: OperationWindow[]): Finding[] {
  const acting = operations.filter((o) => o.kind !== 'uncordon');
  return nodes.slice(1).flatMap((sample, i) =>
    sample.nodes.flatMap((n) => {
      const before = nodes[i].nodes.find((b) => b.name === n.name);
      if (!before?.unschedulable || n.unschedulable) return [];
      const ops = runningBetween(acting, nodes[i].at, sample.at);
      // Steward records the owner as `<workflow ID>@<run ID>`; the window names the workflow.
      const owner = before.cordonedBy?.replace(/@[^@]*$/, '');
      if (ops.length === 0 || ops.some((o) => o.id === owner)) return [];
      return [
        {
          rule: 'foreign-uncordon',
          at: sample.at,
          detail:
            `${n.name} uncordoned during ${ops.map((o) => o.id).join(', ')}; ` +
            `it was cordoned by ${before.cordonedBy ?? 'someone other than Steward'}`,
        },
      ];
    }),
  );
}

/** Whether a PG state counts as clean: active+clean, scrubbing or not. */
export const pgClean = (state: string) => {
  const parts = state.split('+');
  return (
    parts.includes('active') &&
    parts.includes('clean') &&
    parts.every((p) => ['active', 'clean', 'scrubbing', 'deep'].includes(p))
  );
};

/** A look whose PGs are all `unknown`: a mgr just started, with no PG stats yet; it tells nothing. */
const noPgStats = (sample: CephSample) =>
  Object.keys(sample.pgStates).every((state) => state === 'unknown');

/**
 * A Ceph daemon that stopped or came back as a new incarnation while an operation ran, when the
 * last look with PG stats before it showed PGs that were not active+clean.
 */
export function restartsWhileUnclean(ceph: CephSample[], operations: OperationWindow[]): Finding[] {
  let known: CephSample | undefined;
  return ceph.slice(1).flatMap((sample, i) => {
    const before = ceph[i];
    if (!noPgStats(before) || !known) known = before;
    const unclean = Object.entries(known.pgStates).filter(([state]) => !pgClean(state));
    if (unclean.length === 0 || runningBetween(operations, before.at, sample.at).length === 0)
      return [];
    return Object.entries(sample.daemons)
      .filter(
        ([d, now]) =>
          before.daemons[d] && before.daemons[d] !== 'down' && now !== before.daemons[d],
      )
      .map(([d, now]) => ({
        rule: 'restart-unclean',
        at: sample.at,
        detail:
          `${d} ${before.daemons[d]} -> ${now} while PGs were ` +
          unclean.map(([state, n]) => `${n} ${state}`).join(', '),
      }));
  });
}
