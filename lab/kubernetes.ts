import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kubernetesBinaries } from './binaries';
import { isRunning, startDaemon, stopDaemons } from './daemon';
import { Connection, LAB_CONTEXT, writeConnection, writeKubeconfig } from './kubeconfig';
import { ensurePki, Pki } from './pki';
import { assertPortsFree, kubernetesPorts, LabPorts } from './ports';
import { httpGet, waitFor } from './wait';

/** Daemon names in start order; they are stopped in reverse. */
export const KUBERNETES_DAEMONS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'lab-physics',
] as const;

/** KWOK plays kubelet only for nodes carrying this annotation ... */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' };
/**
 * ... and this label: the lab's switch for a host's kubelet (see kubelet.ts). A label, not an
 * annotation, because KWOK hands label selectors to the apiserver's watch, which reports a node
 * that stops matching as deleted; KWOK then stops renewing its lease.
 */
export const KUBELET_LABEL = {
  key: 'lab.steward.dev/kubelet',
  running: 'running',
  stopped: 'stopped',
};

export const SERVICE_CIDR = '10.96.0.0/12';
export const POD_CIDR = '10.244.0.0/16';

export const labDir = (stateDir: string) => join(stateDir, 'lab');

export function kubernetesRunning(stateDir: string): string[] {
  return KUBERNETES_DAEMONS.filter((name) => isRunning(stateDir, name));
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK on loopback,
 * detached, and waits until each is healthy. etcd data and PKI persist in the state dir, so a
 * second start resumes the same cluster.
 */
export interface KubernetesOptions {
  /** Upgrade physics timings (lab/physics.ts); defaults: restart 3000 ms, job 500 ms. */
  physics?: { restartMs?: number; jobMs?: number };
}

export async function startKubernetes(
  stateDir: string,
  ports: LabPorts,
  options: KubernetesOptions = {},
): Promise<Connection> {
  const running = kubernetesRunning(stateDir);
  if (running.length > 0) {
    throw new Error(
      `lab already running in ${stateDir} (${running.join(', ')}); run \`tsx lab/main.ts down\` first`,
    );
  }
  try {
    return await start(stateDir, ports, options);
  } catch (err) {
    await stopKubernetes(stateDir);
    throw err;
  }
}

async function start(
  stateDir: string,
  ports: LabPorts,
  { physics = {} }: KubernetesOptions,
): Promise<Connection> {
  const bin = kubernetesBinaries();
  await assertPortsFree(kubernetesPorts(ports));
  const dir = labDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const pki = ensurePki(join(dir, 'pki'));
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const connection: Connection = {
    kubeconfigPath: join(dir, 'kubeconfig'),
    connectionPath: join(dir, 'connection.json'),
    server,
    context: LAB_CONTEXT,
  };
  writeKubeconfig(connection.kubeconfigPath, pki, server);
  const kubeconfig = connection.kubeconfigPath;
  const spawn = (name: string, command: string, args: string[]) =>
    startDaemon(stateDir, { name, command, args, cwd: dir });

  const etcd = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  spawn('etcd', bin.etcd, [
    '--name=lab',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcd}`,
    `--advertise-client-urls=${etcd}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=lab=${peer}`,
    // A throwaway lab: durability is not worth the fsync latency on a shared disk.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitFor('etcd health', async () => (await httpGet(`${etcd}/health`)).status === 200, {
    daemon: { stateDir, name: 'etcd' },
  });

  spawn('kube-apiserver', bin.kubeApiserver, [
    `--etcd-servers=${etcd}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${pki.dir}`,
    `--tls-cert-file=${pki.apiserverCert}`,
    `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    // No kubelet or proxy behind the `kubernetes` Service here; its endpoint would be
    // this host's address, where nothing listens.
    '--endpoint-reconciler-type=none',
    `--audit-policy-file=${join(__dirname, 'audit-policy.yaml')}`,
    `--audit-log-path=${join(dir, 'audit.log')}`,
  ]);
  await waitFor('kube-apiserver /readyz', () => apiserverReady(server, pki), {
    timeoutMs: 90_000,
    daemon: { stateDir, name: 'kube-apiserver' },
  });

  const componentAuth = [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
  ];
  spawn('kube-controller-manager', bin.kubeControllerManager, [
    ...componentAuth,
    `--secure-port=${ports.controllerManager}`,
    '--cluster-name=lab',
    `--root-ca-file=${pki.caCert}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    '--use-service-account-credentials',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // A node whose kubelet stopped is NotReady after 30 s (default 50 s) and is checked every
    // 2 s (default 5 s); KWOK renews leases every 10 s.
    '--node-monitor-grace-period=30s',
    '--node-monitor-period=2s',
    // Everything a kubeadm cluster runs, minus the cloud and IPAM controllers (no cloud here,
    // and KWOK assigns pod IPs).
    '--controllers=*,-cloud-node-lifecycle-controller,-service-lb-controller,-node-route-controller,-node-ipam-controller',
  ]);
  spawn('kube-scheduler', bin.kubeScheduler, [
    ...componentAuth,
    `--secure-port=${ports.scheduler}`,
  ]);
  spawn('kwok', bin.kwok, [
    `--config=${join(__dirname, 'kwok-stages.yaml')}`,
    `--kubeconfig=${kubeconfig}`,
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
    `--manage-nodes-with-label-selector=${KUBELET_LABEL.key}=${KUBELET_LABEL.running}`,
    '--node-lease-duration-seconds=40',
    `--cidr=${POD_CIDR}`,
  ]);
  // The upgrade physics (lab/physics.ts): plays Steward's node-upgrade Jobs.
  spawn('lab-physics', process.execPath, [
    '--import',
    pathToFileURL(require.resolve('tsx')).href,
    join(__dirname, 'physics.ts'),
    `--kubeconfig=${kubeconfig}`,
    ...(physics.restartMs !== undefined ? [`--restart-ms=${physics.restartMs}`] : []),
    ...(physics.jobMs !== undefined ? [`--job-ms=${physics.jobMs}`] : []),
  ]);
  await Promise.all(
    (
      [
        ['kube-controller-manager', ports.controllerManager],
        ['kube-scheduler', ports.scheduler],
      ] as const
    ).map(([name, port]) =>
      waitFor(
        `${name} /healthz`,
        async () =>
          (await httpGet(`https://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false }))
            .status === 200,
        { daemon: { stateDir, name } },
      ),
    ),
  );
  writeConnection(connection);
  return connection;
}

export async function stopKubernetes(stateDir: string): Promise<void> {
  await stopDaemons(stateDir, [...KUBERNETES_DAEMONS].reverse());
}

async function apiserverReady(server: string, pki: Pki): Promise<boolean | string> {
  const { status, body } = await httpGet(`${server}/readyz`, {
    ca: readFileSync(pki.caCert),
    cert: readFileSync(pki.adminCert),
    key: readFileSync(pki.adminKey),
  });
  return status === 200 || body.slice(0, 300);
}
