import { createServer } from 'node:net';

/** Loopback ports of the lab's Kubernetes; override some or all to run a second lab. */
export interface LabPorts {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
}

export const DEFAULT_PORTS: LabPorts = {
  apiserver: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  controllerManager: 10257,
  scheduler: 10259,
};

/** A set of ports that were free on 127.0.0.1 a moment ago (for tests and parallel labs). */
export async function freePorts(): Promise<LabPorts> {
  const servers = Object.keys(DEFAULT_PORTS).map(() => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolve(typeof address === 'object' && address ? address.port : 0);
          });
        }),
    ),
  );
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  const [apiserver, etcdClient, etcdPeer, controllerManager, scheduler] = ports;
  return { apiserver, etcdClient, etcdPeer, controllerManager, scheduler };
}

/** Throws naming every port of `ports` that something already listens on. */
export async function assertPortsFree(ports: LabPorts): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) await new Promise((resolve) => server.close(resolve));
    else busy.push(`${name} ${port}`);
  }
  if (busy.length > 0) throw new Error(`ports in use on 127.0.0.1: ${busy.join(', ')}`);
}
