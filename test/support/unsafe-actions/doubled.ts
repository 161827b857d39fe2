// The doubled-side-effect rules, one pure function each over the real servers' records: a side
// effect that one operation should cause once, found twice.
import type {
  ApiWrite,
  BmcEvent,
  HelmRevision,
  NetboxChange,
  NovaMigration,
  OperationWindow,
} from '../ground-truth/records';
import { ms } from '../ground-truth/records';
import { groupBy, isBoot, running, type Finding } from './common';

/**
 * The try of the first operation running at `at` (its id and how many retries the operator had
 * asked for by then), for keying a record to one try of one operation: a side effect redone
 * after the operator's retry is asked for, not doubled.
 */
function tryAt(operations: OperationWindow[], at: string): string | undefined {
  const op = running(operations, at)[0];
  return op && `${op.id}#${(op.retries ?? []).filter((r) => ms(r) < ms(at)).length}`;
}

const found = (rule: string, group: { at: string }[], detail: string): Finding => ({
  rule,
  at: group[1].at,
  detail: `${detail} ${group.length} times (${group.map((r) => r.at).join(', ')})`,
});

const objectKey = (w: ApiWrite) => `${w.namespace ?? ''}/${w.name}`;

/** One Job (an upgrade Job: its name is per node and version) created twice by one operation. */
export function jobsCreatedTwice(writes: ApiWrite[], operations: OperationWindow[]): Finding[] {
  const creates = writes.filter((w) => w.verb === 'create' && w.resource === 'jobs');
  return groupBy(creates, (w) => {
    const op = tryAt(operations, w.at);
    return op && `${op} ${objectKey(w)}`;
  })
    .filter((g) => g.length > 1)
    .map((g) => found('job-twice', g, `Job ${objectKey(g[0])} created`));
}

/**
 * One pod evicted twice by one operation: a second successful eviction before the pod was
 * deleted (a StatefulSet pod recreated under its name and evicted again is another pod).
 */
export function podsEvictedTwice(writes: ApiWrite[], operations: OperationWindow[]): Finding[] {
  const lives = writes.filter(
    (w) => w.resource === 'pods/eviction' || (w.resource === 'pods' && w.verb === 'delete'),
  );
  return groupBy(lives, (w) => objectKey(w)).flatMap((pod) => {
    // Cut the pod's writes into its incarnations: a deletion ends one.
    const incarnations: ApiWrite[][] = [[]];
    for (const w of pod) {
      if (w.resource === 'pods') incarnations.push([]);
      else incarnations[incarnations.length - 1].push(w);
    }
    return incarnations.flatMap((evictions) =>
      groupBy(evictions, (w) => tryAt(operations, w.at))
        .filter((g) => g.length > 1)
        .map((g) => found('eviction-twice', g, `pod ${objectKey(g[0])} evicted`)),
    );
  });
}

const FAILED_MIGRATION = new Set(['error', 'failed', 'cancelled']);

/** One instance evacuated or migrated twice by one operation (failed attempts left out). */
export function instancesMovedTwice(
  migrations: NovaMigration[],
  operations: OperationWindow[],
): Finding[] {
  const moves = migrations.filter((m) => !FAILED_MIGRATION.has(m.status));
  return groupBy(moves, (m) => {
    const op = tryAt(operations, m.at);
    return op && `${op} ${m.instance}`;
  })
    .filter((g) => g.length > 1)
    .map((g) => found('move-twice', g, `instance ${g[0].instance} moved (${g[0].type})`));
}

/** One host booted twice by its BMC during one reinstall of it. */
export function hostsCycledTwice(bmc: BmcEvent[], operations: OperationWindow[]): Finding[] {
  const reinstalls = operations.filter((o) => o.kind === 'reinstall');
  const boots = bmc.filter((e) => isBoot(e.effect));
  return groupBy(boots, (e) => {
    const op = tryAt(
      reinstalls.filter((o) => o.targets.includes(e.bmc)),
      e.at,
    );
    return op && `${op} ${e.bmc}`;
  })
    .filter((g) => g.length > 1)
    .map((g) => found('power-cycle-twice', g, `${g[0].bmc} booted`));
}

/** One journal entry (same device, same text: Steward's entries carry their activity's marker) written twice. */
export function journalEntriesTwice(changes: NetboxChange[]): Finding[] {
  const entries = changes.filter(
    (c) => c.action === 'create' && c.objectType === 'extras.journalentry',
  );
  return groupBy(entries, (c) => `${c.data.assigned_object_id} ${c.data.comments}`)
    .filter((g) => g.length > 1)
    .map((g) =>
      found('journal-twice', g, `journal entry on device ${g[0].data.assigned_object_id} written`),
    );
}

/** One Helm upgrade done twice: two revisions of a release to one chart version in one try of an operation. */
export function helmUpgradesTwice(helm: HelmRevision[], operations: OperationWindow[]): Finding[] {
  const byRevision = [...helm].sort((a, b) => a.revision - b.revision);
  return groupBy(byRevision, (r) => `${r.namespace}/${r.release}`).flatMap((revisions) =>
    revisions.slice(1).flatMap((r, i) => {
      const previous = revisions[i];
      const attempt = tryAt(operations, r.at);
      if (r.chartVersion !== previous.chartVersion || !attempt) return [];
      if (attempt !== tryAt(operations, previous.at)) return [];
      return [
        found(
          'helm-twice',
          [previous, r],
          `${r.namespace}/${r.release} upgraded to ${r.chartVersion}`,
        ),
      ];
    }),
  );
}
