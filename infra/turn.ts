// coturn (Debian's turnserver) for the demo and the tests: TURN over TLS on 443
// and plain TURN on 3478, short-lived credentials from one shared secret (the
// media nodes mint them, media/turn.ts), relays only towards the media nodes'
// own addresses. A deployment runs it from infra/deploy/turnserver.conf.
import { Service } from './proc.js';

export interface TurnServerOptions {
  /** Address clients reach it on. */
  listenIp: string;
  /** TLS port (443 where only that is open; binding it needs root or CAP_NET_BIND_SERVICE). */
  tlsPort: number;
  /** Plain TURN port (UDP and TCP). */
  port: number;
  certFile: string;
  keyFile: string;
  secret: string;
  /** Address relayed traffic leaves from, towards the media nodes. */
  relayIp: string;
  /** Allow relaying to 127.0.0.0/8 (media nodes on the same host, tests and the demo). */
  allowLoopbackPeers?: boolean;
  logFile: string;
}

export async function startTurn(o: TurnServerOptions): Promise<Service> {
  const args = [
    '-n', '--no-cli', '--simple-log', '--log-file=stdout', '--fingerprint', '--no-dtls', '--no-multicast-peers',
    `--listening-ip=${o.listenIp}`, `--listening-port=${o.port}`, `--tls-listening-port=${o.tlsPort}`,
    `--cert=${o.certFile}`, `--pkey=${o.keyFile}`, '--use-auth-secret', `--static-auth-secret=${o.secret}`, '--realm=diemcau',
    `--relay-ip=${o.relayIp}`, '--min-port=49152', '--max-port=65535',
    ...(o.allowLoopbackPeers ? ['--allow-loopback-peers'] : []),
  ];
  let out = '';
  let ready: () => void = () => undefined;
  const up = new Promise<void>((r) => { ready = r; });
  const s = new Service({
    name: 'turn', command: ['turnserver', ...args], logFile: o.logFile,
    onOutput: (b) => { out += b.toString(); if (/Total General servers|listener opened on|IPv4\. TLS\/TCP listener/.test(out)) ready(); },
  });
  s.start();
  await Promise.race([up, new Promise((r) => setTimeout(r, 3000))]);
  if (!s.running) throw new Error(`turnserver did not start:\n${out.slice(-1500)}`);
  return s;
}
