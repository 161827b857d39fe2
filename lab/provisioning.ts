// The provisioning endpoint: Debian's nginx with WebDAV PUT on a loopback port. Steward PUTs
// `/<host>/base-script`; the lab's installer GETs it at a PXE boot.
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon';
import { httpGet, waitFor } from './wait';

export const PROVISIONING_DAEMON = 'provisioning';

function nginxConf(dir: string, port: number): string {
  // Started as root, nginx runs its worker as nobody, who cannot write into a private state dir.
  const user = process.getuid?.() === 0 ? [`user ${userInfo().username};`] : [];
  const temp = (name: string) => `  ${name}_temp_path ${join(dir, 'tmp', name)};`;
  return [
    ...user,
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')};`,
    'events { worker_connections 64; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
    '  server {',
    `    listen 127.0.0.1:${port};`,
    `    root ${join(dir, 'www')};`,
    '    location / {',
    '      dav_methods PUT DELETE;',
    '      create_full_put_path on;',
    '      dav_access user:rw;',
    '      client_max_body_size 1m;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Starts nginx detached and returns the endpoint's URL once it answers. */
export async function startProvisioning(stateDir: string, port: number): Promise<string> {
  const dir = join(stateDir, 'lab', 'provisioning');
  mkdirSync(join(dir, 'www'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port));
  startDaemon(stateDir, {
    name: PROVISIONING_DAEMON,
    command: 'nginx',
    args: [
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-e',
      join(dir, 'error.log'),
      '-g',
      'daemon off;',
    ],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`nginx on ${url}`, async () => (await httpGet(`${url}/`)).status > 0, {
    timeoutMs: 10_000,
    intervalMs: 50,
    daemon: { stateDir, name: PROVISIONING_DAEMON },
  });
  return url;
}
