// Moving an instance off a host, each kind at most once. Nova records every move as a migration
// (`os-migrations`, newest first at 2.59); a move is finished only when that record is, since the
// server's status and host change at different moments. Nova does not refuse a second evacuate
// of an instance still rebuilding, so before posting, an unfinished move of the same kind from
// the same host is looked for; one that ended (in success or failure) with the instance still on
// that host may be posted again.
import { Context } from '@temporalio/activity';
import type { MigrationFacts, ServerFacts } from './nova';

/** Nova's migration types of the moves Steward makes. */
export type MoveKind = 'evacuation' | 'live-migration' | 'migration';

interface MoveRules {
  /** The server action's body; no target lets Nova's scheduler choose. */
  action: (targetHost?: string) => object;
  /** Migration statuses after which the move does nothing more. */
  finished: readonly string[];
  /** The finished statuses that moved the instance. */
  succeeded: readonly string[];
  /** Server statuses the instance may have once moved. */
  settled: readonly string[];
}

export const MOVES: Record<MoveKind, MoveRules> = {
  evacuation: {
    action: (host) => ({ evacuate: host ? { host } : {} }),
    finished: ['done', 'completed', 'failed', 'error'],
    succeeded: ['done', 'completed'],
    settled: ['ACTIVE', 'SHUTOFF'],
  },
  'live-migration': {
    action: (host) => ({ 'os-migrateLive': { host: host ?? null, block_migration: 'auto' } }),
    finished: ['completed', 'failed', 'error', 'cancelled'],
    succeeded: ['completed'],
    settled: ['ACTIVE', 'PAUSED'],
  },
  // A cold migration of a stopped instance ends in VERIFY_RESIZE (`finished`) on the new host;
  // it is confirmed here at once (there is nothing to verify on an instance that is off).
  migration: {
    action: (host) => ({ migrate: host ? { host } : null }),
    finished: ['confirmed', 'failed', 'error', 'reverted'],
    succeeded: ['confirmed'],
    settled: ['SHUTOFF'],
  },
};

export interface MoveTarget {
  region: string;
  serverId: string;
  /** The host the instance is moved away from. */
  sourceHost: string;
}

export interface MoveInput extends MoveTarget {
  /** A destination; default: Nova's scheduler picks one. */
  targetHost?: string;
}

export interface MoveFacts {
  server: ServerFacts;
  /** The newest move of this kind of this instance from `sourceHost`, if any. */
  migration?: MigrationFacts;
  /** The migration reached a status after which it does nothing more. */
  finished: boolean;
  /** Finished in success and the instance settled on another host. */
  moved: boolean;
}

export interface MoveResult extends MoveFacts {
  /** A request was sent by this call (false: a move already existed, or nothing to do). */
  posted: boolean;
  reason: string;
}

export interface MoveApi {
  getServer(region: string, serverId: string): Promise<ServerFacts>;
  listMigrations(q: {
    region: string;
    serverId: string;
    type: MoveKind;
  }): Promise<MigrationFacts[]>;
  serverAction(region: string, serverId: string, body: object): Promise<void>;
}

export function moveActivities(api: MoveApi) {
  async function describeMove(kind: MoveKind, input: MoveTarget): Promise<MoveFacts> {
    const server = await api.getServer(input.region, input.serverId);
    const rules = MOVES[kind];
    const migration = (
      await api.listMigrations({ region: input.region, serverId: input.serverId, type: kind })
    ).find((m) => m.sourceCompute === input.sourceHost);
    const finished = migration !== undefined && rules.finished.includes(migration.status);
    const moved =
      finished &&
      rules.succeeded.includes(migration.status) &&
      server.host !== input.sourceHost &&
      rules.settled.includes(server.status);
    return { server, migration, finished, moved };
  }

  async function moveServer(kind: MoveKind, input: MoveInput): Promise<MoveResult> {
    const before = await describeMove(kind, input);
    const m = before.migration;
    if (m && !before.finished)
      return { ...before, posted: false, reason: `${kind} ${m.uuid} is ${m.status}` };
    if (before.server.host !== input.sourceHost)
      return {
        ...before,
        posted: false,
        reason: `the instance is on ${before.server.host ?? 'no host'}, not ${input.sourceHost}`,
      };
    await api.serverAction(input.region, input.serverId, MOVES[kind].action(input.targetHost));
    return { ...(await describeMove(kind, input)), posted: true, reason: `${kind} requested` };
  }

  /**
   * Waits, heartbeating, until the move is finished and the instance has settled (no task
   * state): a migration in `error` comes a moment before the instance leaves its task. A cold
   * migration waiting in VERIFY_RESIZE is confirmed.
   */
  async function awaitMove(
    kind: MoveKind,
    input: MoveTarget & { pollMs?: number },
  ): Promise<MoveFacts> {
    const ctx = Context.current();
    for (;;) {
      const facts = await describeMove(kind, input);
      const { server, migration } = facts;
      if (!migration || (facts.finished && server.taskState === null)) return facts;
      if (kind === 'migration' && migration.status === 'finished' && server.taskState === null)
        await api.serverAction(input.region, input.serverId, { confirmResize: null });
      ctx.heartbeat({ status: migration.status, serverStatus: server.status });
      await ctx.sleep(input.pollMs ?? 1_000);
    }
  }

  return {
    /** Evacuates one instance from a failed host, at most once (see the file's comment). */
    evacuateServer: (input: MoveInput) => moveServer('evacuation', input),
    awaitEvacuation: (input: MoveTarget & { pollMs?: number }) => awaitMove('evacuation', input),
    /**
     * Moves one instance off a host that is still up, at most once: live (ACTIVE or PAUSED) or
     * cold (SHUTOFF; confirmed by `awaitMigration`), as the instance is.
     */
    migrateServer: (input: MoveInput & { kind: 'live-migration' | 'migration' }) =>
      moveServer(input.kind, input),
    awaitMigration: (
      input: MoveTarget & { kind: 'live-migration' | 'migration'; pollMs?: number },
    ) => awaitMove(input.kind, input),
  };
}
