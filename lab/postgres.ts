// A throwaway PostgreSQL for a lab part: Debian's server, TCP on loopback only, no fsync, trust
// authentication (nothing but the lab reaches 127.0.0.1 here). PostgreSQL refuses to run as root,
// so a root caller runs it as Debian's `postgres` user.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { startDaemon } from './daemon';
import { waitFor } from './wait';

export interface PostgresSpec {
  /** Debian's server binaries, e.g. /usr/lib/postgresql/15/bin. */
  bin: string;
  dataDir: string;
  port: number;
}

/** The superuser role every lab database is created with. */
export const POSTGRES_ROLE = 'netbox';

/** Creates an empty cluster in `dataDir`, a folder of `stateDir` that must not exist yet. */
export async function initPostgres(stateDir: string, { bin, dataDir }: PostgresSpec) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const user = serverUser();
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    allowTraverse(stateDir, dataDir);
  }
  await promisify(execFile)(
    join(bin, 'initdb'),
    [`--pgdata=${dataDir}`, `--username=${POSTGRES_ROLE}`, '--auth=trust', '--encoding=UTF8'],
    { uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C.UTF-8' } },
  );
}

/** Starts the cluster as daemon `name` of `stateDir` and waits until it accepts connections. */
export async function startPostgres(
  stateDir: string,
  name: string,
  { bin, dataDir, port }: PostgresSpec,
): Promise<void> {
  const user = serverUser();
  if (user) allowTraverse(stateDir, dataDir);
  startDaemon(stateDir, {
    name,
    command: join(bin, 'postgres'),
    args: [
      `-D${dataDir}`,
      `-p${port}`,
      '-clisten_addresses=127.0.0.1',
      '-cunix_socket_directories=',
      '-cfsync=off',
      '-csynchronous_commit=off',
      '-cfull_page_writes=off',
    ],
    user,
    // Fast shutdown: SIGTERM would wait for every client (NetBox keeps its connections) to leave.
    stopSignal: 'SIGINT',
  });
  await waitFor(
    `${name} accepting connections`,
    async () => {
      await promisify(execFile)(join(bin, 'pg_isready'), [
        '-h127.0.0.1',
        `-p${port}`,
        `-U${POSTGRES_ROLE}`,
        '-q',
      ]);
      return true;
    },
    { daemon: { stateDir, name } },
  );
}

export async function createDatabase({ bin, port }: PostgresSpec, database: string) {
  await promisify(execFile)(join(bin, 'createdb'), [
    '-h127.0.0.1',
    `-p${port}`,
    `-U${POSTGRES_ROLE}`,
    database,
  ]);
}

/** The user PostgreSQL runs as: Debian's `postgres` when we are root, else ourselves. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (!entry) throw new Error('no user "postgres" to run PostgreSQL as (install postgresql)');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * Lets the server's user reach `dir` through the root-owned folders of the state dir that only
 * root may enter (a mkdtemp state dir is 0700): adds search permission, never read, from `top`
 * down to `dir`'s parent. Folders above the state dir are left as they are.
 */
function allowTraverse(top: string, dir: string): void {
  const within = relative(top, dirname(dir));
  if (within.startsWith('..')) throw new Error(`${dir} is outside ${top}`);
  let d = top;
  for (const part of ['', ...within.split(sep).filter(Boolean)]) {
    d = join(d, part);
    const mode = statSync(d).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
  }
}
