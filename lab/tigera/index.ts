// Starts and stops the lab's Tigera operator physics (lab/tigera/operator.ts); Steward installs
// the operator itself from the lab chart's path (lab/tigera/chart), as from a configured chart.
import { join } from 'node:path';
import { startDaemon, stopDaemons, tsxDaemon } from '../daemon';

export const TIGERA_DAEMON = 'lab-tigera-operator';

/** Where Steward installs the Tigera operator from (written into the lab's connection.json). */
export interface TigeraConnection {
  chart: string;
}

export function startTigeraLab(stateDir: string, kubeconfig: string): TigeraConnection {
  startDaemon(stateDir, {
    name: TIGERA_DAEMON,
    ...tsxDaemon(join(__dirname, 'operator.ts'), [`--kubeconfig=${kubeconfig}`]),
  });
  return { chart: join(__dirname, 'chart') };
}

export const stopTigeraLab = (stateDir: string) => stopDaemons(stateDir, [TIGERA_DAEMON]);
