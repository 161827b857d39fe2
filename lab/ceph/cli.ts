// The lab's own runner for Ceph's command-line tools (Steward's client is activities/ceph/).
import { execFile } from 'node:child_process';
import type { CephLayout } from './layout';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args`, feeding `input` on stdin; never throws for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  { input, timeoutMs = 60_000 }: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && code === -1) reject(new Error(`${command} ${args.join(' ')}: ${err.message}`));
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/** Runs a tool and returns its stdout; a non-zero exit throws with the tool's own message. */
export async function runOk(command: string, args: string[], input?: string): Promise<string> {
  const r = await run(command, args, { input });
  if (r.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** The `ceph` CLI against the lab cluster (admin keyring through the conf). */
export const ceph = (layout: CephLayout, args: string[], input?: string) =>
  runOk('ceph', ['--conf', layout.conf, '--connect-timeout', '20', ...args], input);

export const cephJson = async <T>(layout: CephLayout, args: string[]): Promise<T> =>
  JSON.parse(await ceph(layout, [...args, '--format', 'json'])) as T;
