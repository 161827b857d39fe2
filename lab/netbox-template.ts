// Builds the migrated NetBox database that every lab copies, once per NetBox and PostgreSQL
// version (NetBox's migrations take minutes). Run by scripts/setup/netbox.sh.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { netboxInstall } from './binaries';
import { stopDaemons } from './daemon';
import { netboxCommand, netboxEnv } from './netbox-env';
import { freePorts } from './ports';
import { createDatabase, initPostgres, startPostgres } from './postgres';

export async function buildNetboxTemplate(): Promise<void> {
  const install = netboxInstall();
  const template = install.databaseTemplate;
  if (existsSync(join(template, 'PG_VERSION'))) return;
  const work = mkdtempSync(join(tmpdir(), 'steward-netbox-template-'));
  const ports = await freePorts();
  const pg = {
    bin: install.postgresBin,
    dataDir: join(work, 'pgdata'),
    port: ports.netboxPostgres,
  };
  try {
    await initPostgres(work, pg);
    await startPostgres(work, 'postgres', pg);
    await createDatabase(pg, 'netbox');
    const secret = randomBytes(48).toString('base64url');
    const env = netboxEnv(install, {
      root: join(work, 'root'),
      dbPort: pg.port,
      redisPort: ports.netboxRedis,
      secrets: { secretKey: secret, tokenPepper: secret },
    });
    await netboxCommand(install, env, ['migrate', '--no-input']);
    // A clean shutdown, so that every copy starts without crash recovery.
    await stopDaemons(work);
    mkdirSync(dirname(template), { recursive: true });
    rmSync(`${template}.partial`, { recursive: true, force: true });
    // cp -a keeps the owner (PostgreSQL's user) and the 0700 mode PostgreSQL insists on.
    await promisify(execFile)('cp', ['-a', pg.dataDir, `${template}.partial`]);
    await promisify(execFile)('mv', [`${template}.partial`, template]);
  } finally {
    await stopDaemons(work);
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const started = Date.now();
  buildNetboxTemplate().then(
    () => console.log(`  netbox database ready in ${Math.round((Date.now() - started) / 1000)} s`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
