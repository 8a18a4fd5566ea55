// The impairment harness the link tests and the p7 bench share: a hall's
// Chromium in a network namespace whose only way to its media node is an
// impaired link, with named profiles (the kernel here has tbf but no netem).
//
// Layout, the simplest that puts real WebRTC traffic through it both ways:
//
//   namespace: Chromium ──► 127.0.0.1:<http>, 127.0.0.1:<rtc> (impair-relay.ts: delay, jitter, UDP loss)
//                 │ veth, tbf on both ends (rate cap, with its queue)
//   host:      media node listening on 0.0.0.0:<http>, 0.0.0.0:<rtc>, announcing 127.0.0.1
//
// The node announces 127.0.0.1 as usual (its pipes to the rest of the cascade stay on loopback),
// so the hall page is the node's own URL and its ICE candidate 127.0.0.1:<rtc> — inside the
// namespace both land on the relay, which forwards them over the veth to the node's host-side
// address. The node sees the hall at the namespace's address; answers go back the same way.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Service } from '../../infra/proc.js';
import { NetNs } from './netns.js';
import type { RelayConfig, RelayForward } from './impair-relay.js';

export interface LinkProfile {
  /** Rate cap each way (kbit/s); null = no cap. */
  rateKbps: number | null;
  /** Round-trip time added by the link (ms), split evenly between the two directions. */
  rttMs: number;
  /** Extra random one-way delay, 0..jitterMs (ms). */
  jitterMs: number;
  /** Random UDP loss each way (0..1). */
  loss: number;
  /** Drop all UDP (a firewall letting TCP through only). */
  blockUdp?: boolean;
}

export type ProfileName = 'good' | 'adsl' | 'weak' | 'poor' | 'starved' | 'udp-blocked' | 'only-443';

/**
 * Named links. `udp-blocked` and `only-443` are firewalls rather than slow links: the first is
 * `blockUdp` here (test/e2e/udp-blocked.test.ts), the second needs TURN over TLS and addresses of
 * its own, set up by test/e2e/turn.test.ts.
 */
export const PROFILES: Record<ProfileName, LinkProfile> = {
  good: { rateKbps: null, rttMs: 0, jitterMs: 0, loss: 0 },
  adsl: { rateKbps: 4000, rttMs: 40, jitterMs: 4, loss: 0.005 },
  weak: { rateKbps: 1000, rttMs: 150, jitterMs: 15, loss: 0.03 },
  poor: { rateKbps: 512, rttMs: 250, jitterMs: 25, loss: 0.05 },
  /** Too thin for the lowest picture beside the sound: the hall gets the sound only (test/e2e/audio-only.test.ts). */
  starved: { rateKbps: 150, rttMs: 250, jitterMs: 25, loss: 0.03 },
  'udp-blocked': { rateKbps: null, rttMs: 0, jitterMs: 0, loss: 0, blockUdp: true },
  'only-443': { rateKbps: null, rttMs: 0, jitterMs: 0, loss: 0, blockUdp: true },
};

export interface ImpairedLinkOptions {
  tag: string;
  profile: ProfileName | LinkProfile;
  /** Ports the hall reaches on 127.0.0.1 and the node serves on the host side (tcp, udp or both). */
  ports: { port: number; proto: ('tcp' | 'udp')[] }[];
  /** Where the relay's log goes (relative to the repo root). */
  logFile: string;
}

const profileOf = (p: ProfileName | LinkProfile): LinkProfile => (typeof p === 'string' ? PROFILES[p] : p);

export class ImpairedLink {
  private closed = false;
  private shaped = false;
  private constructor(readonly ns: NetNs, private readonly relay: Service, private readonly dir: string, private cfg: RelayConfig, public profile: LinkProfile) {}

  static async start(o: ImpairedLinkOptions): Promise<ImpairedLink> {
    const profile = profileOf(o.profile);
    const ns = NetNs.create(o.tag);
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-impair-'));
    const forwards: RelayForward[] = o.ports.flatMap(({ port, proto }) => proto.map((p) => ({
      proto: p, listen: { host: '127.0.0.1', port }, target: { host: ns.hostIp, port },
    })));
    const cfg: RelayConfig = { forwards, ...relayFigures(profile) };
    writeFileSync(join(dir, 'relay.json'), JSON.stringify(cfg));
    let ready: () => void = () => undefined;
    const up = new Promise<void>((r) => { ready = r; });
    let said = '';
    const relay = new Service({
      name: `impair-${o.tag}`, entry: 'test/support/impair-relay.ts', args: [join(dir, 'relay.json')], netns: ns.name, logFile: o.logFile,
      onOutput: (b) => { said += b.toString(); if (said.includes('impair-relay ready')) ready(); },
    });
    const link = new ImpairedLink(ns, relay, dir, cfg, profile);
    try {
      relay.start();
      await Promise.race([up, new Promise((_, rej) => setTimeout(() => rej(new Error(`impair relay did not start: ${said}`)), 20_000))]);
      link.shape(profile);
    } catch (err) {
      await link.close();
      throw err;
    }
    return link;
  }

  /** Switches the link to another profile in place (connections stay up): a link that degrades or recovers. */
  async setProfile(p: ProfileName | LinkProfile): Promise<void> {
    const profile = profileOf(p);
    if (!!profile.blockUdp !== !!this.profile.blockUdp) throw new Error('a link cannot switch to or from blocking UDP');
    this.profile = profile;
    this.cfg = { ...this.cfg, ...relayFigures(profile) };
    writeFileSync(join(this.dir, 'relay.json'), JSON.stringify(this.cfg));
    if (this.relay.pid) process.kill(this.relay.pid, 'SIGHUP');
    this.shape(profile);
  }

  /** Rate cap with tbf on both ends of the veth (each end shapes what it sends). */
  private shape(p: LinkProfile): void {
    if (p.blockUdp && !this.shaped) { this.ns.blockUdp(); this.shaped = true; return; }
    if (p.blockUdp) return;
    for (const [dev, nsArgs] of [[this.ns.hostIf, []], [this.ns.nsIf, ['-n', this.ns.name]]] as const) {
      const tc = (...args: string[]) => execFileSync('tc', [...nsArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      if (this.shaped) tc('qdisc', 'del', 'dev', dev, 'root');
      if (p.rateKbps === null) continue;
      // burst ≈ 10 ms of the rate (at least two full packets); the queue holds ~300 ms like a modem's buffer
      const burst = Math.max(3200, Math.round((p.rateKbps * 1000) / 8 / 100));
      tc('qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${p.rateKbps}kbit`, 'burst', String(burst), 'latency', '300ms');
    }
    this.shaped = p.rateKbps !== null;
  }

  /** Idempotent: stops the relay and removes the namespace (and with it the shaping). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.relay.stop(3000).catch(() => undefined);
    this.ns.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function relayFigures(p: LinkProfile): Pick<RelayConfig, 'delayMs' | 'jitterMs' | 'loss'> {
  // the jitter adds jitterMs/2 each way on average: the mean RTT stays the profile's
  return { delayMs: Math.max(0, p.rttMs / 2 - p.jitterMs / 2), jitterMs: p.jitterMs, loss: p.loss };
}
