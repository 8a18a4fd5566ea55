// A network namespace joined to the host by a veth pair, for tests that need a
// link they can cut, slow down or make lossy without touching the machine's
// own interfaces (`ip netns` and `tc` work here; everything is removed on close).
// Host side 10.<a>.<b>.1 (and .3–.6 for services of their own), namespace side
// 10.<a>.<b>.2, a /29 of its own.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export class NetNs {
  readonly name: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly hostIp: string;
  readonly nsIp: string;
  private readonly base: string;
  private extra = 0;
  private closed = false;

  private constructor(tag: string) {
    const id = randomBytes(3).toString('hex');
    this.name = `dc-${tag}-${id}`;
    // interface names: at most 15 characters
    this.hostIf = `dch${id}`;
    this.nsIf = `dcn${id}`;
    const n = parseInt(id, 16);
    const a = 64 + ((n >> 14) & 63);
    const b = (n >> 6) & 255;
    const c = (n & 31) * 8;
    this.hostIp = `10.${a}.${b}.${c + 1}`;
    this.nsIp = `10.${a}.${b}.${c + 2}`;
    this.base = `10.${a}.${b}.${c}`;
  }

  /** Creates the namespace and its link (up). Needs root. */
  static create(tag: string): NetNs {
    const ns = new NetNs(tag);
    ip('netns', 'add', ns.name);
    try {
      ip('link', 'add', ns.hostIf, 'type', 'veth', 'peer', 'name', ns.nsIf);
      ip('link', 'set', ns.nsIf, 'netns', ns.name);
      ip('addr', 'add', `${ns.hostIp}/29`, 'dev', ns.hostIf);
      ip('link', 'set', ns.hostIf, 'up');
      ip('-n', ns.name, 'addr', 'add', `${ns.nsIp}/29`, 'dev', ns.nsIf);
      ip('-n', ns.name, 'link', 'set', ns.nsIf, 'up');
      ip('-n', ns.name, 'link', 'set', 'lo', 'up');
      ip('-n', ns.name, 'route', 'add', 'default', 'via', ns.hostIp);
    } catch (err) {
      ns.close();
      throw err;
    }
    return ns;
  }

  /** Another host address on the link (up to four), for a service that must have its own port 443. */
  addHostIp(): string {
    if (this.extra >= 4) throw new Error('no more host addresses on this link');
    const last = Number(this.base.split('.')[3]) + 3 + this.extra++;
    const addr = `${this.base.split('.').slice(0, 3).join('.')}.${last}`;
    ip('addr', 'add', `${addr}/29`, 'dev', this.hostIf);
    return addr;
  }

  /**
   * Drops every UDP packet on the link, both ways, as a firewall that lets only TCP through
   * (`tc` here has no filter actions: a u32 filter sends UDP to an htb class whose queue holds
   * nothing). TCP is untouched.
   */
  blockUdp(): void {
    for (const [dev, nsArgs] of [[this.hostIf, []], [this.nsIf, ['-n', this.name]]] as const) {
      const tc = (...args: string[]) => execFileSync('tc', [...nsArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      tc('qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10', 'r2q', '100000');
      tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
      tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '8kbit');
      tc('qdisc', 'add', 'dev', dev, 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '0');
      tc('filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'u32', 'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:20');
    }
  }

  /** Cuts the link (both directions: packets are dropped, no reset is sent). */
  down(): void {
    ip('link', 'set', this.hostIf, 'down');
  }

  up(): void {
    ip('link', 'set', this.hostIf, 'up');
  }

  /** Idempotent: deleting the namespace removes both ends of the veth pair. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { ip('netns', 'del', this.name); } catch { /* already gone */ }
    try { ip('link', 'del', this.hostIf); } catch { /* went with the namespace */ }
  }
}
