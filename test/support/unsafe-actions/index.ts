// The unsafe-action checker: every rule over one run's ground-truth records. A rule that has no
// records to read (a run without Nova, say) finds nothing.
import type {
  ApiWrite,
  BmcEvent,
  CephSample,
  ComputeServiceSample,
  HelmRevision,
  NetboxChange,
  NodeSample,
  NovaMigration,
  OperationWindow,
  PdbSample,
} from '../ground-truth/records';
import type { Finding } from './common';
import * as doubled from './doubled';
import * as unsafe from './unsafe';

export type { Finding } from './common';

export interface RunRecords {
  operations: OperationWindow[];
  apiWrites?: ApiWrite[];
  bmc?: BmcEvent[];
  /** NetBox's serial of each device, by name. */
  netboxSerials?: Record<string, string>;
  migrations?: NovaMigration[];
  computeServices?: ComputeServiceSample[];
  netboxChanges?: NetboxChange[];
  ceph?: CephSample[];
  pdbs?: PdbSample[];
  nodes?: NodeSample[];
  helm?: HelmRevision[];
}

export interface Bounds {
  /** The eviction's threshold: hosts down beyond which nothing is fenced or evacuated. */
  maxHostsDown: number;
  /** Nodes Steward may hold cordoned at once. */
  maxUnschedulable: number;
}

export function checkRun(r: RunRecords, bounds: Bounds): { unsafe: Finding[]; doubled: Finding[] } {
  const ops = r.operations;
  const [writes, bmc, migrations] = [r.apiWrites ?? [], r.bmc ?? [], r.migrations ?? []];
  return {
    unsafe: [
      ...unsafe.wrongSerialCommands(bmc, r.netboxSerials ?? {}, ops),
      ...unsafe.evacuationsUnfenced(migrations, bmc),
      ...unsafe.actionsBeyondThreshold(
        bmc,
        migrations,
        r.computeServices ?? [],
        ops,
        bounds.maxHostsDown,
      ),
      ...unsafe.budgetsBroken(r.pdbs ?? [], ops),
      ...unsafe.tooManyCordoned(r.nodes ?? [], bounds.maxUnschedulable),
      ...unsafe.foreignUncordons(r.nodes ?? [], ops),
      ...unsafe.restartsWhileUnclean(r.ceph ?? [], ops),
    ],
    doubled: [
      ...doubled.jobsCreatedTwice(writes, ops),
      ...doubled.podsEvictedTwice(writes, ops),
      ...doubled.instancesMovedTwice(migrations, ops),
      ...doubled.hostsCycledTwice(bmc, ops),
      ...doubled.journalEntriesTwice(r.netboxChanges ?? []),
      ...doubled.helmUpgradesTwice(r.helm ?? [], ops),
    ],
  };
}
