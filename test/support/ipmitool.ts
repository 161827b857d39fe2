// The real ipmitool against a lab host's BMC, as an operator would run it.
import { execFile } from 'node:child_process';
import { bmcAddress, bmcCredentials } from '../../lab';
import type { TestLab } from './lab';
import { scenarioHosts } from './bmc';

export interface IpmitoolRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `ipmitool -I lanplus -C 3 -R 1 -N 1 ... -E <args>` for `host`; never throws on exit code. */
export function ipmitool(
  lab: TestLab,
  scenario: string,
  host: string,
  args: string[],
  login: { username?: string; password?: string } = {},
): Promise<IpmitoolRun> {
  const index = scenarioHosts(scenario).findIndex((h) => h.name === host);
  const credentials = { ...bmcCredentials(host), ...login };
  const started = Date.now();
  return new Promise((resolve) =>
    execFile(
      'ipmitool',
      [
        ...['-I', 'lanplus', '-C', '3', '-R', '1', '-N', '1'],
        ...['-H', bmcAddress(index), '-p', String(lab.bareMetal!.bmc.port)],
        ...['-U', credentials.username, '-E', ...args],
      ],
      { env: { ...process.env, IPMI_PASSWORD: credentials.password }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    ),
  );
}
