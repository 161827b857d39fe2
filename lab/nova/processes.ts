// How the lab launches each OpenStack process (Debian's python3-* packages ship no service
// binaries: the lab runs each service's own `main`) and runs their one-shot management commands.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { isRunning, startDaemon, stopDaemons, type DaemonSpec } from '../daemon';
import { waitFor } from '../wait';
import { computeDaemon, novaLayout, PYTHON, type NovaLayout } from './layout';
import type { NovaPorts } from './configs';

/** A Python program's `main` from a module, under the name its console script would have. */
export function pythonMain(module: string, program: string, args: string[]) {
  const code = `import sys; sys.argv[0] = ${JSON.stringify(program)}; from ${module} import main; sys.exit(main())`;
  return { command: PYTHON, args: ['-c', code, ...args] };
}

/** Runs a management command; the error carries its output. */
export async function runTool(command: string, args: string[], env?: NodeJS.ProcessEnv) {
  try {
    return await promisify(execFile)(command, args, {
      env: env ?? process.env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.slice(0, 3).join(' ')} failed: ${e.message}\n${output}`);
  }
}

export function runPython(module: string, program: string, args: string[]) {
  const { command, args: all } = pythonMain(module, program, args);
  return runTool(command, all);
}

export const novaManage = (layout: NovaLayout, ...args: string[]) =>
  runPython('nova.cmd.manage', 'nova-manage', [
    '--config-file',
    layout.novaConf,
    '--config-file',
    layout.novaDbConf,
    ...args,
  ]);

/** A TCP port on 127.0.0.1 accepts connections. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function waitForPort(
  stateDir: string,
  name: string,
  port: number,
  timeoutMs = 120_000,
) {
  await waitFor(`${name} listening on ${port}`, () => portOpen(port), {
    timeoutMs,
    intervalMs: 250,
    daemon: { stateDir, name },
  });
}

/** The daemon spec of a Nova service; control services also read the database config. */
function novaService(layout: NovaLayout, service: string, extra: string[]): DaemonSpec {
  const { command, args } = pythonMain(`nova.cmd.${service}`, `nova-${service}`, [
    '--config-file',
    layout.novaConf,
    ...extra.flatMap((f) => ['--config-file', f]),
  ]);
  return { name: `nova-${service}`, command, args };
}

export function startNovaControl(stateDir: string, layout: NovaLayout): void {
  startDaemon(stateDir, novaService(layout, 'conductor', [layout.novaDbConf]));
  startDaemon(stateDir, novaService(layout, 'scheduler', [layout.novaDbConf]));
  startNovaApi(stateDir, layout);
}

export const NOVA_API_DAEMON = 'nova-api';

export function startNovaApi(stateDir: string, layout: NovaLayout): void {
  const api = novaService(layout, 'api_os_compute', [layout.novaDbConf]);
  startDaemon(stateDir, { ...api, name: NOVA_API_DAEMON, stopSignal: 'SIGKILL' });
}

/**
 * Starts the nova-compute of a hypervisor (its host booted), unless it runs. A power cut stops it with SIGKILL:
 * no graceful shutdown, as on real hardware.
 */
export function startCompute(stateDir: string, host: string): void {
  if (isRunning(stateDir, computeDaemon(host))) return;
  const layout = novaLayout(stateDir);
  const spec = novaService(layout, 'compute', [layout.computeConf(host)]);
  startDaemon(stateDir, { ...spec, name: computeDaemon(host), stopSignal: 'SIGKILL' });
}

export async function stopCompute(stateDir: string, host: string): Promise<void> {
  await stopDaemons(stateDir, [computeDaemon(host)]);
}

export function startKeystone(stateDir: string, layout: NovaLayout, ports: NovaPorts): void {
  startDaemon(stateDir, {
    name: 'keystone',
    command: '/usr/bin/gunicorn',
    args: [
      `--bind=127.0.0.1:${ports.keystone}`,
      '--workers=1',
      '--timeout=120',
      `--pythonpath=${__dirname}`,
      'keystone_wsgi:application',
    ],
    env: { ...process.env, OS_KEYSTONE_CONFIG_FILES: layout.keystoneConf },
    cwd: layout.dir,
    stopSignal: 'SIGKILL',
  });
}

export function startPlacement(stateDir: string, layout: NovaLayout, ports: NovaPorts): void {
  startDaemon(stateDir, {
    name: 'placement',
    command: '/usr/bin/gunicorn',
    args: [
      `--bind=127.0.0.1:${ports.placement}`,
      '--workers=1',
      '--timeout=120',
      'placement.wsgi:init_application()',
    ],
    env: { ...process.env, OS_PLACEMENT_CONFIG_DIR: layout.placementDir },
    cwd: layout.dir,
    stopSignal: 'SIGKILL',
  });
}

export function startGlance(stateDir: string, layout: NovaLayout): void {
  const { command, args } = pythonMain('glance.cmd.api', 'glance-api', [
    '--config-file',
    layout.glanceConf,
  ]);
  startDaemon(stateDir, { name: 'glance', command, args, cwd: layout.dir, stopSignal: 'SIGKILL' });
}

export function startNetworkEndpoint(stateDir: string, ports: NovaPorts): void {
  startDaemon(stateDir, {
    name: 'network-endpoint',
    command: PYTHON,
    args: [join(__dirname, 'network-endpoint.py'), String(ports.network)],
    stopSignal: 'SIGKILL',
  });
}
