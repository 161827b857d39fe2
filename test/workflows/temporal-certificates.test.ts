// The worker's Temporal connection follows its certificate files. A mutual-TLS front (Node's tls,
// client certificates required, recording each one presented) stands before the dev server; the
// worker connects through it with certificate A; the files are replaced with certificate B; the
// front then sees B, and the worker polls on through the new connection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type TLSSocket } from 'node:tls';
import { NativeConnection, Worker } from '@temporalio/worker';
import { reloadCertificates } from '../../workers/certificate-reload';
import { connectionOptions } from '../../workers/temporal-connection';
import { useTestServer } from '../support/temporal';

const testEnv = useTestServer();
const dir = mkdtempSync(join(tmpdir(), 'steward-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA, the front's certificate for 127.0.0.1, and client certificates `a` and `b`. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=steward test CA',
  );
  const sign = (name: string, subject: string, ext: string) => {
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      ext,
    );
  };
  const ext = (name: string, text: string) => {
    execFileSync('sh', ['-c', `printf '%s\\n' "${text}" > ${name}`], { cwd: dir });
    return name;
  };
  sign('server', '/CN=temporal', ext('server.ext', 'subjectAltName=DNS:temporal,IP:127.0.0.1'));
  const client = ext('client.ext', 'extendedKeyUsage=clientAuth');
  sign('a', '/CN=worker-a', client);
  sign('b', '/CN=worker-b', client);
}

/** The mutual-TLS front: h2 over TLS in, plain h2 to the dev server out. */
async function startFront(upstream: string, seen: string[]) {
  const [host, port] = upstream.split(':');
  const file = (n: string) => readFileSync(join(dir, n));
  const server = createServer(
    {
      key: file('server.key'),
      cert: file('server.pem'),
      ca: file('ca.pem'),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket: TLSSocket) => {
      seen.push(String(socket.getPeerCertificate().subject.CN));
      const back = tcpConnect(Number(port), host);
      socket.pipe(back).pipe(socket);
      const close = () => (socket.destroy(), back.destroy());
      socket.on('error', close);
      back.on('error', close);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('Temporal client certificates', () => {
  it('a changed certificate file gives the worker a new connection that presents it', async () => {
    makeCertificates();
    const [cert, key] = [join(dir, 'client.pem'), join(dir, 'client.key')];
    copyFileSync(join(dir, 'a.pem'), cert);
    copyFileSync(join(dir, 'a.key'), key);
    const seen: string[] = [];
    const front = await startFront(testEnv().address, seen);
    const temporal = {
      address: front.address,
      tls: { cert, key, ca: join(dir, 'ca.pem'), serverName: 'temporal' },
    };
    const env = {}; // no TEMPORAL_* variable: Steward's settings alone
    const connection = await NativeConnection.connect(connectionOptions(temporal, env));
    const worker = await Worker.create({
      connection,
      taskQueue: 'certificates',
      activities: { noop: async () => undefined },
    });
    const running = worker.run();
    const logged: string[] = [];
    const log = {
      info: (_: object, m: string) => void logged.push(m),
      warn: (_: object, m: string) => void logged.push(m),
    };
    const stop = reloadCertificates({
      worker,
      temporal,
      env,
      log,
      connected: () => undefined,
      intervalMs: 100,
    });
    try {
      assert.deepEqual([...new Set(seen)], ['worker-a']);
      copyFileSync(join(dir, 'b.pem'), cert);
      copyFileSync(join(dir, 'b.key'), key);
      for (let i = 0; i < 100 && worker.connection === connection; i++) await sleep(100);
      assert.notEqual(worker.connection, connection, 'the worker got a new connection');
      assert.ok(seen.includes('worker-b'), `the front saw ${seen.join(', ')}`);
      assert.deepEqual(logged, ['Temporal certificates changed: reconnected with the new ones']);
      const info = await worker.connection!.workflowService.getSystemInfo({});
      assert.ok(info.serverVersion, 'the new connection reaches Temporal');
      assert.equal(worker.getState(), 'RUNNING');
    } finally {
      stop();
      worker.shutdown();
      await running;
      await worker.connection?.close();
      front.server.close();
    }
  });
});
