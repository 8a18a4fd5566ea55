// A local certificate authority for the demo and the tests: camera pages need
// a secure context on any address but 127.0.0.1, and node links must not carry
// the pipes' SRTP keys in clear. The CA is made once per checkout (its key
// never leaves the directory), and a server certificate is issued for the
// hosts asked for (again when that list changes). A real deployment plugs in
// its own certificate and key instead (TLS_CERT_FILE / TLS_KEY_FILE on every
// service; NODE_EXTRA_CA_CERTS when its CA is private).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './proc.js';

export interface TlsFiles {
  /** The CA certificate to trust (browsers, NODE_EXTRA_CA_CERTS). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The CA in `tlsDir` (relative to the repo root, or absolute; made if missing) and a server certificate for `hosts` (IP addresses or DNS
 * names; 127.0.0.1 and localhost are always in it). Idempotent.
 */
export function ensureTls(hosts: readonly string[] = [], tlsDir = '.cache/tls'): TlsFiles {
  const dir = resolve(REPO_ROOT, tlsDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: TlsFiles = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') };
  const caKey = join(dir, 'ca-key.pem');
  if (!existsSync(files.caFile) || !existsSync(caKey)) {
    openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', files.caFile,
      '-days', '3650', '-subj', '/O=Diem Cau demo/CN=Diem Cau demo CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }
  const names = [...new Set(['127.0.0.1', 'localhost', ...hosts])].sort();
  const san = names.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const stamp = join(dir, 'server.hosts');
  const current = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
  if (current !== san || !existsSync(files.certFile) || !existsSync(files.keyFile)) {
    const csr = join(dir, 'server.csr');
    const ext = join(dir, 'server.ext');
    writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', files.keyFile, '-out', csr, '-subj', '/O=Diem Cau demo/CN=diemcau');
    // browsers refuse server certificates valid for more than 398 days
    openssl(dir, 'x509', '-req', '-in', csr, '-CA', files.caFile, '-CAkey', caKey, '-CAcreateserial', '-out', files.certFile, '-days', '397', '-extfile', ext);
    writeFileSync(stamp, san);
  }
  return files;
}

/**
 * This process (a launcher, a test) trusts `caFile` from now on, besides the system's authorities:
 * fetch, socket.io and every other TLS client in it.
 */
export function trustCa(caFile: string): void {
  const ca = readFileSync(caFile, 'utf8');
  const current = tls.getCACertificates('default');
  if (!current.includes(ca)) tls.setDefaultCACertificates([...current, ca]);
}

/** The certificate and key as a TLS server wants them. */
export function readTls(f: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(f.certFile), key: readFileSync(f.keyFile) };
}
