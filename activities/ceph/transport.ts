// Two ways to run the `ceph` CLI: on this host with a conf and a keyring, or in the Rook toolbox
// pod through the Kubernetes exec API. Both bound the time a command may take.
import { CoreV1Api, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { childEnv } from '../common/child-env';
import { Writable } from 'node:stream';

export interface CephCommandResult {
  /** The command's exit code; -1 when the transport reported a failure without one. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CephTransport {
  /** Runs `ceph ARGS`; rejects only when the command could not be run or timed out. */
  run(args: string[]): Promise<CephCommandResult>;
}

export interface CephCliConfig {
  conf: string;
  /** A keyring file: the secret stays in the file, never in argv or the environment. */
  keyring: string;
  /** The cephx user without "client." (default admin). */
  id?: string;
}

export interface CephToolboxConfig {
  namespace: string;
  /** Label selector of the toolbox pods (default app=rook-ceph-tools). */
  selector?: string;
  container?: string;
}

/** How Steward reaches a cluster's Ceph: exactly one of the two. */
export type CephAccess = { cli: CephCliConfig } | { toolbox: CephToolboxConfig };

export function cliTransport(config: CephCliConfig, timeoutMs: number): CephTransport {
  const base = [
    '--conf',
    config.conf,
    '--keyring',
    config.keyring,
    '--id',
    config.id ?? 'admin',
    '--connect-timeout',
    String(Math.max(1, Math.ceil(timeoutMs / 2000))),
  ];
  return {
    run: (args) =>
      new Promise((resolve, reject) => {
        execFile(
          'ceph',
          [...base, ...args],
          { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: childEnv() },
          (err, stdout, stderr) => {
            if (err && typeof err.code !== 'number') {
              const why = err.killed ? `timed out after ${timeoutMs} ms` : err.message;
              reject(new Error(`ceph ${args.join(' ')}: ${why}`));
            } else {
              resolve({ exitCode: err ? Number(err.code) : 0, stdout, stderr });
            }
          },
        );
      }),
  };
}

export function toolboxTransport(
  kc: KubeConfig,
  config: CephToolboxConfig,
  timeoutMs: number,
): CephTransport {
  const core = kc.makeApiClient(CoreV1Api);
  const exec = new Exec(kc);
  const selector = config.selector ?? 'app=rook-ceph-tools';
  return {
    async run(args) {
      const pods = await core.listNamespacedPod({
        namespace: config.namespace,
        labelSelector: selector,
      });
      const pod = pods.items.find(
        (p) =>
          !p.metadata?.deletionTimestamp &&
          p.status?.phase === 'Running' &&
          p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      if (!pod) {
        throw new Error(`no Ready toolbox pod (${selector}) in namespace ${config.namespace}`);
      }
      const container = config.container ?? pod.spec?.containers[0]?.name ?? '';
      const stdout = collector();
      const stderr = collector();
      const status = await new Promise<V1Status | undefined>((resolve, reject) => {
        let last: V1Status | undefined;
        let socket: { close(): void } | undefined;
        const timer = setTimeout(() => {
          reject(
            new Error(
              `ceph ${args.join(' ')} in ${pod.metadata?.name}: timed out after ${timeoutMs} ms`,
            ),
          );
          socket?.close();
        }, timeoutMs);
        exec
          .exec(
            config.namespace,
            pod.metadata!.name!,
            container,
            ['ceph', ...args],
            stdout.stream,
            stderr.stream,
            null,
            false,
            (s) => (last = s),
          )
          .then(
            (ws) => {
              socket = ws;
              ws.on('close', () => {
                clearTimeout(timer);
                resolve(last);
              });
            },
            (err: unknown) => {
              clearTimeout(timer);
              reject(err);
            },
          );
      });
      const exitCode = exitCodeOf(status);
      const reported = exitCode === -1 ? (status?.message ?? '') : '';
      return {
        exitCode,
        stdout: stdout.text(),
        stderr: [stderr.text().trim(), reported].filter(Boolean).join('\n'),
      };
    },
  };
}

/**
 * A kubelet reports a non-zero exit as NonZeroExitCode with the code as a cause. KWOK's kubelet
 * (the lab) reports it as an internal error without the code: -1, and its message is on stderr.
 */
function exitCodeOf(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  return code !== undefined && /^\d+$/.test(code) ? Number(code) : -1;
}

function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
