import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (a root caller starting a server that refuses root). */
  user?: { uid: number; gid: number };
  /** The signal that asks it to stop; default SIGTERM. */
  stopSignal?: NodeJS.Signals;
}

/** What `<stateDir>/pids/<name>.pid` holds. */
export interface DaemonRecord {
  pid: number;
  /** /proc/<pid>/stat start time: with the pid, it names one process even after pid reuse. */
  startTicks: number;
  cmdline: string[];
  startedAt: string;
  stopSignal?: NodeJS.Signals;
}

const pidDir = (stateDir: string) => join(stateDir, 'pids');
const pidFile = (stateDir: string, name: string) => join(pidDir(stateDir), `${name}.pid`);
export const logFile = (stateDir: string, name: string) => join(stateDir, 'logs', `${name}.log`);

/** A lab daemon written in TypeScript: node's command and `args` that run `script` with tsx. */
export const tsxDaemon = (script: string, args: string[]) => ({
  command: process.execPath,
  args: ['--import', pathToFileURL(require.resolve('tsx')).href, script, ...args],
});

/** Starts `spec` in its own session, so it outlives the caller; output is appended to its log. */
export function startDaemon(stateDir: string, spec: DaemonSpec): DaemonRecord {
  if (isRunning(stateDir, spec.name)) throw new Error(`daemon ${spec.name} is already running`);
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  mkdirSync(pidDir(stateDir), { recursive: true });
  const out = openSync(logFile(stateDir, spec.name), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.user?.uid,
      gid: spec.user?.gid,
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    // A failed spawn (ENOENT, EACCES) also emits 'error'; the throw below reports it.
    child.once('error', () => undefined);
    if (child.pid === undefined) throw new Error(`cannot start ${spec.command}`);
    const stat = readStat(child.pid);
    if (!stat) throw new Error(`${spec.name} exited at once: see ${logFile(stateDir, spec.name)}`);
    const record: DaemonRecord = {
      pid: child.pid,
      startTicks: stat.startTicks,
      cmdline: [spec.command, ...spec.args],
      startedAt: new Date().toISOString(),
      stopSignal: spec.stopSignal,
    };
    writeFileSync(pidFile(stateDir, spec.name), JSON.stringify(record, null, 2) + '\n');
    return record;
  } finally {
    closeSync(out);
  }
}

export function readDaemon(stateDir: string, name: string): DaemonRecord | undefined {
  try {
    return JSON.parse(readFileSync(pidFile(stateDir, name), 'utf8')) as DaemonRecord;
  } catch {
    return undefined;
  }
}

export function isRunning(stateDir: string, name: string): boolean {
  const record = readDaemon(stateDir, name);
  return record !== undefined && isAlive(record);
}

/** Names of the daemons with a pid file, oldest first. */
export function listDaemons(stateDir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(pidDir(stateDir)).filter((f) => f.endsWith('.pid'));
  } catch {
    return [];
  }
  return files
    .map((f) => f.slice(0, -'.pid'.length))
    .map((name) => ({ name, at: readDaemon(stateDir, name)?.startedAt ?? '' }))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((d) => d.name);
}

/**
 * Stops the named daemons one after another (default: all, newest first): SIGTERM (or the
 * daemon's own stop signal) to the process group, then SIGKILL after `graceMs`. A pid whose start time no longer matches the
 * record belongs to someone else now and is left alone.
 */
export async function stopDaemons(
  stateDir: string,
  names: string[] = listDaemons(stateDir).reverse(),
  graceMs = 10_000,
): Promise<void> {
  for (const name of names) {
    const record = readDaemon(stateDir, name);
    if (record && isAlive(record)) {
      signalGroup(record, record.stopSignal ?? 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (isAlive(record) && Date.now() < deadline) await sleep(50);
      if (isAlive(record)) signalGroup(record, 'SIGKILL');
      while (isAlive(record)) await sleep(20);
    }
    rmSync(pidFile(stateDir, name), { force: true });
  }
}

function signalGroup(record: DaemonRecord, signal: NodeJS.Signals): void {
  try {
    process.kill(-record.pid, signal);
  } catch {
    // Already gone between the check and the signal.
  }
}

function isAlive(record: DaemonRecord): boolean {
  const stat = readStat(record.pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTicks === record.startTicks;
}

function readStat(pid: number): { state: string; startTicks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name, which may itself contain spaces: state is
  // field 3 of proc(5), starttime field 22.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTicks: Number(fields[19]) };
}

/**
 * Runs a lab daemon's entry point with a signal that SIGTERM and SIGINT (stopDaemons) abort;
 * the process exits 0 when `main` returns, 1 with its error.
 */
export function runDaemon(main: (argv: string[], stop: AbortSignal) => Promise<void>): void {
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop.abort());
  main(process.argv.slice(2), stop.signal).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

/**
 * Processes whose command line names `stateDir` (a lab daemon's child that left its process
 * group, a daemon restarted behind the registry's back): what a clean stop must not leave.
 */
export function processesOf(stateDir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (cmdline.includes(stateDir) && readStat(pid)?.state !== 'Z') found.push({ pid, cmdline });
  }
  return found;
}
