import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { CephConnection } from './ceph';
import type { Pki } from './pki';

export const LAB_CONTEXT = 'lab';

export interface Connection {
  kubeconfigPath: string;
  connectionPath: string;
  server: string;
  context: string;
  /** The lab's Ceph and Rook, when the scenario has a `ceph:` section. */
  ceph?: CephConnection;
}

/** Writes a self-contained admin kubeconfig (certs inlined) with cluster, user and context `lab`. */
export function writeKubeconfig(path: string, pki: Pki, server: string): void {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: LAB_CONTEXT,
        cluster: { server, 'certificate-authority-data': b64(pki.caCert) },
      },
    ],
    users: [
      {
        name: 'lab-admin',
        user: {
          'client-certificate-data': b64(pki.adminCert),
          'client-key-data': b64(pki.adminKey),
        },
      },
    ],
    contexts: [{ name: LAB_CONTEXT, context: { cluster: LAB_CONTEXT, user: 'lab-admin' } }],
    'current-context': LAB_CONTEXT,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/** Writes `{ clusters: { lab: { kubeconfig, context, server } } }`, the file activities read. */
export function writeConnection(connection: Connection): void {
  const { kubeconfigPath, connectionPath, server, context, ceph } = connection;
  const body = {
    clusters: { [LAB_CONTEXT]: { kubeconfig: kubeconfigPath, context, server, ceph } },
  };
  writeFileSync(connectionPath, JSON.stringify(body, null, 2) + '\n');
}

/** Adds a lab part's facts (e.g. `{ netbox: { url, tokenFile } }`) to the connection file. */
export function addToConnection(connectionPath: string, facts: object): void {
  const file = JSON.parse(readFileSync(connectionPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(connectionPath, JSON.stringify({ ...file, ...facts }, null, 2) + '\n');
}
