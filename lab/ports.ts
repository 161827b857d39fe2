import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** Loopback ports of the lab; override some or all to run a second lab. */
export interface LabPorts {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
  /** UDP, the IPMI port of every BMC (each on its own 127.0.1.x address). */
  bmc: number;
  /** UDP and TCP, dnsmasq. */
  dns: number;
  /** HTTP, the provisioning endpoint (nginx). */
  provisioning: number;
  /** NetBox (gunicorn) and its PostgreSQL and Redis. */
  netbox: number;
  netboxPostgres: number;
  netboxRedis: number;
  /** OpenBao. */
  vault: number;
  /** The lab's OpenStack (scenarios with `nova`): Keystone, placement, Glance, nova-api, the
   * network stand-in, RabbitMQ (AMQP, Erlang distribution, its own epmd) and MariaDB. */
  keystone: number;
  placement: number;
  glance: number;
  novaApi: number;
  network: number;
  rabbitmq: number;
  rabbitmqDist: number;
  epmd: number;
  mariadb: number;
}

const UDP_PORTS: readonly string[] = ['bmc'];
const UDP_AND_TCP_PORTS: readonly string[] = ['dns'];

/** The ports the lab's Kubernetes listens on. */
export const kubernetesPorts = ({
  apiserver,
  etcdClient,
  etcdPeer,
  controllerManager,
  scheduler,
}: LabPorts) => ({ apiserver, etcdClient, etcdPeer, controllerManager, scheduler });

export const DEFAULT_PORTS: LabPorts = {
  apiserver: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  controllerManager: 10257,
  scheduler: 10259,
  bmc: 6623,
  dns: 5354,
  provisioning: 8623,
  netbox: 8001,
  netboxPostgres: 15432,
  netboxRedis: 16379,
  vault: 8200,
  keystone: 5000,
  placement: 8778,
  glance: 9292,
  novaApi: 8774,
  network: 9696,
  rabbitmq: 5672,
  rabbitmqDist: 25672,
  epmd: 4369,
  mariadb: 3306,
};

/** A set of ports that were free on 127.0.0.1 a moment ago (for tests and parallel labs). */
export async function freePorts(): Promise<LabPorts> {
  // All held open at once, so that no two keys get the same port.
  const keys = Object.keys(DEFAULT_PORTS) as (keyof LabPorts)[];
  const held = await Promise.all(
    keys.map((key) =>
      UDP_PORTS.includes(key)
        ? holdUdpPort()
        : UDP_AND_TCP_PORTS.includes(key)
          ? holdUdpAndTcpPort()
          : holdTcpPort(),
    ),
  );
  await Promise.all(held.map((h) => h.release()));
  const ports = { ...DEFAULT_PORTS };
  keys.forEach((key, i) => (ports[key] = held[i].port));
  return ports;
}

/** `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const held = await Promise.all(Array.from({ length: count }, () => holdTcpPort()));
  await Promise.all(held.map((h) => h.release()));
  return held.map((h) => h.port);
}

interface HeldPort {
  port: number;
  release(): Promise<void>;
}

function holdTcpPort(port = 0): Promise<HeldPort> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        release: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function holdUdpPort(): Promise<HeldPort> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () =>
      resolve({
        port: socket.address().port,
        release: () => new Promise((done) => socket.close(() => done())),
      }),
    );
  });
}

/** A port free for both UDP and TCP (a DNS server takes both). */
async function holdUdpAndTcpPort(): Promise<HeldPort> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const udp = await holdUdpPort();
    const tcp = await holdTcpPort(udp.port).catch(() => undefined);
    if (tcp) {
      return {
        port: udp.port,
        release: async () => void (await Promise.all([udp, tcp].map((h) => h.release()))),
      };
    }
    await udp.release();
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1 after 50 tries');
}

/**
 * Throws naming each address where `port` is taken for UDP. ipmi_sim binds with SO_REUSEADDR: on
 * a taken port it would start "fine" and steal the other's traffic, so look before starting it.
 */
export async function assertUdpPortFree(port: number, addresses: string[]): Promise<void> {
  const busy: string[] = [];
  for (const address of addresses) {
    const socket = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, address, () => resolve(true));
    });
    socket.close();
    if (!free) busy.push(`${address}:${port}`);
  }
  if (busy.length > 0) throw new Error(`UDP ports in use: ${busy.join(', ')}`);
}

/** Throws naming every port of `ports` that something already listens on. */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
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
