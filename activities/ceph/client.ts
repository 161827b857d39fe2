// Facts from Ceph through either transport: each method runs one `ceph` command with JSON output
// and reads it; a failing command throws with Ceph's own message.
import type { CephHealthFacts } from '../../workflows/policy/ceph-health-gate';
import {
  parseHealth,
  parseOkToStop,
  parseOsds,
  parsePgStates,
  parseQuorum,
  type CephOkToStop,
  type CephVersions,
} from './parse';
import type { CephCommandResult, CephTransport } from './transport';

export class CephCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly result: CephCommandResult,
  ) {
    super(
      `ceph ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim() || '(no message)'}`,
    );
  }
}

export class CephClient {
  constructor(private readonly transport: CephTransport) {}

  private async json(args: string[]): Promise<unknown> {
    const full = [...args, '--format', 'json'];
    const r = await this.transport.run(full);
    if (r.exitCode !== 0) throw new CephCommandError(full, r);
    return JSON.parse(r.stdout);
  }

  health = async () => parseHealth(await this.json(['health', 'detail']));
  pgStates = async () => parsePgStates(await this.json(['pg', 'dump', 'pgs_brief']));
  monQuorum = async () => parseQuorum(await this.json(['quorum_status']));
  osds = async () => parseOsds(await this.json(['osd', 'dump']));
  versions = async () => (await this.json(['versions'])) as CephVersions;

  async healthFacts(): Promise<CephHealthFacts> {
    const [health, pgs, quorum, osds] = await Promise.all([
      this.health(),
      this.pgStates(),
      this.monQuorum(),
      this.osds(),
    ]);
    return { health, pgs, quorum, osds };
  }

  /** Never throws for "not ok": that is a fact (EBUSY, exit 16), reported with Ceph's reason. */
  async osdOkToStop(ids: number[]): Promise<CephOkToStop> {
    const args = ['osd', 'ok-to-stop', ...ids.map(String), '--format', 'json'];
    const r = await this.transport.run(args);
    const verdict = parseOkToStop(r.stdout, r.stderr);
    if (!verdict) throw new CephCommandError(args, r);
    return verdict;
  }
}
