import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  adminCert: string;
  adminKey: string;
}

const SERVER_SANS = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
  'IP:10.96.0.1',
];

export function pkiPaths(dir: string): Pki {
  const f = (name: string) => join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    apiserverCert: f('apiserver.crt'),
    apiserverKey: f('apiserver.key'),
    serviceAccountKey: f('sa.key'),
    serviceAccountPub: f('sa.pub'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
  };
}

/**
 * The lab's CA, apiserver serving cert, service-account key pair and an admin client cert
 * (O=system:masters), made once with openssl into `dir` and kept. Built in a sibling folder
 * and renamed, so an interrupted run never leaves a CA that does not match its leaves.
 */
export function ensurePki(dir: string): Pki {
  const pki = pkiPaths(dir);
  if (existsSync(pki.adminCert)) return pki;
  const tmpDir = `${dir}.partial`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const tmp = pkiPaths(tmpDir);

  for (const key of [tmp.caKey, tmp.apiserverKey, tmp.serviceAccountKey, tmp.adminKey]) {
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
  }
  openssl('pkey', '-in', tmp.serviceAccountKey, '-pubout', '-out', tmp.serviceAccountPub);
  openssl(
    ...['req', '-x509', '-new', '-key', tmp.caKey, '-days', '3650', '-subj', '/CN=steward-lab-ca'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    ...['-out', tmp.caCert],
  );
  signLeaf(tmp, tmp.apiserverKey, tmp.apiserverCert, '/CN=kube-apiserver', [
    `subjectAltName=${SERVER_SANS.join(',')}`,
    'extendedKeyUsage=serverAuth',
  ]);
  signLeaf(tmp, tmp.adminKey, tmp.adminCert, '/O=system:masters/CN=kubernetes-admin', [
    'extendedKeyUsage=clientAuth',
  ]);

  rmSync(dir, { recursive: true, force: true });
  renameSync(tmpDir, dir);
  return pki;
}

function signLeaf(pki: Pki, key: string, cert: string, subject: string, extensions: string[]) {
  const csr = `${cert}.csr`;
  const ext = `${cert}.ext`;
  writeFileSync(ext, ['keyUsage=critical,digitalSignature', ...extensions].join('\n') + '\n');
  openssl('req', '-new', '-key', key, '-subj', subject, '-out', csr);
  openssl(
    ...['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-days', '3650'],
    ...['-set_serial', `0x${randomBytes(16).toString('hex')}`, '-extfile', ext, '-out', cert],
  );
  rmSync(csr);
  rmSync(ext);
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
