// A BMC over IPMI 2.0 (RMCP+), through `ipmitool -I lanplus -C 3`. The password reaches ipmitool
// only through its environment (`-E` reads IPMI_PASSWORD), never its argv. Every call is bounded
// (ipmitool's own retries and timeout, and a process timeout); every change is read back.
import { childEnv } from '../common/child-env';
import { ApplicationFailure } from '@temporalio/common';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BMC_FAILURES } from '../../workflows/api';
import type { FruSerials } from '../../workflows/policy/bmc-serial';
import {
  parseBootFlags,
  parseFru,
  parsePowerStatus,
  pxeReadBackProblem,
  type BootFlags,
  type BootFlagValidBit,
  type PowerState,
} from './ipmitool-output';

export interface BmcClientOptions {
  ipmitool: string;
  /** The BMCs' UDP port (623 on real hardware). */
  port: number;
  /** ipmitool `-R`: attempts per request. */
  retries: number;
  /** ipmitool `-N`: seconds to wait for each attempt. */
  timeoutSeconds: number;
  /** The whole ipmitool process, killed after this. */
  processTimeoutMs: number;
  /** How often the power state is read after a change, and for how long (Ironic: 60 s). */
  powerPollMs: number;
  powerTimeoutMs: number;
  /** Whether the BMCs report the boot flags' valid bit (real ones do; the lab's ipmi_sim not). */
  bootFlagValidBit: BootFlagValidBit;
}

export const DEFAULT_BMC_OPTIONS: BmcClientOptions = {
  ipmitool: 'ipmitool',
  port: 623,
  retries: 2,
  timeoutSeconds: 2,
  processTimeoutMs: 30_000,
  powerPollMs: 500,
  powerTimeoutMs: 60_000,
  bootFlagValidBit: 'reported',
};

export interface BmcLogin {
  /** IP address or DNS name. */
  address: string;
  username: string;
  password: string;
}

interface Output {
  stdout: string;
  stderr: string;
}

type ExecError = Error & Partial<Output> & { killed?: boolean; signal?: string | null };

/** What ipmitool prints (with -v) when the BMC answered but refused the login. */
const LOGIN_REFUSED =
  /RAKP \d HMAC is invalid|unauthorized name|Insufficient privilege|invalid role|Invalid user name/i;

export class BmcClient {
  /** How messages name this BMC: `<address>:<port>`. */
  readonly name: string;

  constructor(
    private readonly login: BmcLogin,
    private readonly options: BmcClientOptions = DEFAULT_BMC_OPTIONS,
  ) {
    this.name = `${login.address}:${options.port}`;
  }

  async powerStatus(): Promise<PowerState> {
    const { stdout } = await this.ipmitool(['chassis', 'power', 'status']);
    const state = parsePowerStatus(stdout);
    if (!state) throw this.failure('failed', `unexpected power status "${stdout.trim()}"`);
    return state;
  }

  /** Powers on or off unless the BMC already reports it, then polls until it does; true if changed. */
  async setPower(goal: PowerState): Promise<boolean> {
    if ((await this.powerStatus()) === goal) return false;
    await this.drivePower(goal);
    return true;
  }

  /**
   * Sends the power command and polls until the BMC reports `goal`. A command that failed (a
   * timeout, say) but took effect anyway counts: the state is what was asked.
   */
  async drivePower(goal: PowerState): Promise<void> {
    const failed = await this.ipmitool(['chassis', 'power', goal]).then(
      () => undefined,
      (err: unknown) => err,
    );
    const deadline = Date.now() + this.options.powerTimeoutMs;
    while ((await this.powerStatus()) !== goal) {
      if (failed) throw failed;
      if (Date.now() > deadline)
        throw this.failure(
          'timeout',
          `still not powered ${goal} ${this.options.powerTimeoutMs} ms after the command`,
        );
      await sleep(this.options.powerPollMs);
    }
  }

  async bootFlags(): Promise<BootFlags> {
    const { stdout } = await this.ipmitool(['chassis', 'bootparam', 'get', '5']);
    const flags = parseBootFlags(stdout);
    if (!flags) throw this.failure('failed', `no boot flags in "${stdout.trim()}"`);
    return flags;
  }

  /**
   * Sets the next boot to PXE whatever the flags read now (a "Force PXE" left by the previous
   * boot no longer applies), then reads it back: `chassis bootdev` exits 0 even when the BMC
   * refuses, saying so only on stderr. Returns the flags as they were before.
   */
  async setBootDevicePxe(): Promise<BootFlags> {
    const before = await this.bootFlags();
    // Boot flag valid bit clearing: keep the flag past the BMC's 60 s timeout, as Ironic does.
    await this.ipmitool(['raw', '0x00', '0x08', '0x03', '0x08']);
    const { stderr } = await this.ipmitool(['chassis', 'bootdev', 'pxe']);
    const problem = pxeReadBackProblem(await this.bootFlags(), this.options.bootFlagValidBit);
    if (problem) {
      const said = stderr.trim() ? `: ${stderr.trim()}` : '';
      throw this.failure('refused', `did not take boot device PXE (${problem})${said}`);
    }
    return before;
  }

  async fru(): Promise<FruSerials> {
    return parseFru((await this.ipmitool(['fru', 'print', '0'])).stdout);
  }

  private async ipmitool(command: string[]): Promise<Output> {
    try {
      return await this.exec(command);
    } catch (err) {
      throw await this.classify(err as ExecError, command);
    }
  }

  private exec(command: string[], verbose = false): Promise<Output> {
    const { ipmitool, port, retries, timeoutSeconds, processTimeoutMs } = this.options;
    const args = [
      ...(verbose ? ['-v'] : []),
      ...['-I', 'lanplus', '-C', '3', '-R', String(retries), '-N', String(timeoutSeconds)],
      ...['-H', this.login.address, '-p', String(port), '-U', this.login.username, '-E'],
      ...command,
    ];
    return new Promise((resolve, reject) => {
      execFile(
        ipmitool,
        args,
        {
          env: childEnv({ IPMI_PASSWORD: this.login.password }),
          timeout: processTimeoutMs,
          killSignal: 'SIGKILL',
        },
        (err, stdout, stderr) =>
          err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }),
      );
    });
  }

  private async classify(err: ExecError, command: string[]): Promise<ApplicationFailure> {
    const what = `ipmitool ${command.join(' ')}`;
    const stderr = (err.stderr ?? '').trim().replace(/\s*\n\s*/g, '; ');
    if (err.killed || err.signal)
      return this.failure(
        'timeout',
        `${what}: no answer within ${this.options.processTimeoutMs} ms`,
      );
    if (/Unable to establish IPMI v2 \/ RMCP\+ session/.test(stderr)) {
      // The same words for a BMC that is down and one that refused the login: ask again with -v.
      const refused = await this.exec(['chassis', 'power', 'status'], true).then(
        () => undefined,
        (e: ExecError) => LOGIN_REFUSED.exec(e.stderr ?? '')?.[0],
      );
      return refused
        ? // Not the user name: it was resolved from a secret reference, and errors carry no secret.
          this.failure('auth', `refused the login of bmc.credentials: ${refused}`)
        : this.failure('timeout', `${what}: no session (the BMC does not answer): ${stderr}`);
    }
    if (/Insufficient privilege/i.test(stderr)) return this.failure('auth', `${what}: ${stderr}`);
    // ipmitool says "Unable to ..." when no response came, "... failed: <reason>" when the BMC
    // answered with an error.
    if (/^Unable to /m.test(stderr) && !/failed:/.test(stderr))
      return this.failure('timeout', `${what}: no answer: ${stderr}`);
    return this.failure('failed', `${what}: ${stderr || err.message}`);
  }

  failure(kind: keyof typeof BMC_FAILURES, message: string): ApplicationFailure {
    return ApplicationFailure.create({
      type: BMC_FAILURES[kind],
      message: `BMC ${this.name}: ${message}`,
      nonRetryable: kind !== 'timeout' && kind !== 'failed',
      details: [{ bmc: this.name }],
    });
  }
}
