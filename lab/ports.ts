import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

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

/**
 * Ports for labs beside others (tests, benchmarks), each claimed for this process: taken from below
 * Linux's ephemeral range, so that no other process's bind(0) or outgoing connection takes one
 * between this choice and the daemon's bind, and reserved by a lock file no other lab reuses
 * while this process lives. Each is free on 127.0.0.1 (for TCP, UDP or both) when chosen.
 */
export async function freePorts(): Promise<LabPorts> {
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof LabPorts)[]) {
    const kind = UDP_PORTS.includes(key) ? 'udp' : UDP_AND_TCP_PORTS.includes(key) ? 'both' : 'tcp';
    ports[key] = await reservePort(kind);
  }
  return ports;
}

/** `count` distinct TCP ports, reserved as freePorts' are. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await reservePort('tcp'));
  return ports;
}

/** Below 32768, where Linux's ephemeral range starts by default. */
const RESERVABLE = { from: 20_000, to: 32_000 };
const LOCK_DIR = join(tmpdir(), 'steward-ports');
let reserved: string[] | undefined;

async function reservePort(kind: 'tcp' | 'udp' | 'both'): Promise<number> {
  if (!reserved) {
    const locks: string[] = (reserved = []);
    mkdirSync(LOCK_DIR, { recursive: true });
    process.on('exit', () => locks.forEach((f) => rmSync(f, { force: true })));
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = RESERVABLE.from + randomInt(RESERVABLE.to - RESERVABLE.from);
    const lock = join(LOCK_DIR, String(port));
    if (!claim(lock)) continue;
    if (await isFree(port, kind)) {
      reserved.push(lock);
      return port;
    }
    rmSync(lock, { force: true });
  }
  throw new Error(`no free ${kind} port in ${RESERVABLE.from}-${RESERVABLE.to} after 200 tries`);
}

/** Creates the lock naming this process; takes over one whose process is gone. */
function claim(lock: string): boolean {
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch {
    // An empty lock is one being written: taken.
    const owner = Number(readFileSync(lock, 'utf8').trim());
    if (!owner || owner === process.pid || existsSync(`/proc/${owner}`)) return false;
    rmSync(lock, { force: true });
    return claim(lock);
  }
}

async function isFree(port: number, kind: 'tcp' | 'udp' | 'both'): Promise<boolean> {
  const holds = [
    ...(kind !== 'udp' ? [holdTcpPort(port)] : []),
    ...(kind !== 'tcp' ? [holdUdpPort(port)] : []),
  ];
  const results = await Promise.allSettled(holds);
  await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value() : undefined)));
  return results.every((r) => r.status === 'fulfilled');
}

/** Closes what a hold bound on 127.0.0.1. */
type Release = () => Promise<void>;

function holdTcpPort(port: number): Promise<Release> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve(() => new Promise((done) => server.close(() => done()))),
    );
  });
}

function holdUdpPort(port: number): Promise<Release> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () =>
      resolve(() => new Promise((done) => socket.close(() => done()))),
    );
  });
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
