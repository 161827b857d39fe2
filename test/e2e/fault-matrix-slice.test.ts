// CI's slice of the fault matrix for the operations whose e2e labs are not the matrix's: a drain
// under a PDB that never allows, and a Kubernetes upgrade with GPU nodes whose Job fails once.
// The other operations' cells run on their own e2e files' labs (node-reinstall-crash,
// hypervisor-eviction, rook-ceph-upgrade-guard): a lab's start is most of a cell's cost.
import { describe, it } from 'node:test';
import { drainDriver } from '../../scripts/bench/fault-matrix-drain';
import { upgradeDriver } from '../../scripts/bench/fault-matrix-upgrade';
import { matrixCellTest } from '../support/fault-matrix-cell';

describe('the fault matrix, drain and Kubernetes upgrade', { concurrency: 1 }, () => {
  it(
    'drain under a PDB that never allows, killed in each run: as expected, nothing unsafe or doubled',
    // Two cells of drain: two runs of this one.
    matrixCellTest('drain/pdb-never-allows', drainDriver(), { killsPerOperation: 4, runs: 2 }),
  );
  it(
    'Kubernetes upgrade with GPU nodes, a Job failing once, killed: retried, upgraded, nothing unsafe or doubled',
    matrixCellTest('kubernetes-upgrade-gpu/upgrade-job-fails', upgradeDriver()),
  );
});
