// P4 load generator (a child process of bench/p4-rollup.ts): holds the hall
// screen and the technician console of a slice of the sites as socket.io
// clients bound to its own loopback source address, so that one process stays
// under the open-file limit and one source address under the ephemeral ports.
// Bare protocol clients (wire-client.ts): the generator's own CPU stays small
// beside the service's on a machine they share. Driven over IPC: connect, background churn, a burst (every site of the slice
// reports within a given time), close.
import { CONTROL_NAMESPACE, ControlEvents } from '../../signaling/control.js';
import { signToken } from '../../signaling/token.js';
import { WireClient } from './wire-client.js';

/** One site of this generator's slice. */
export interface LoadSite { id: string; level: string }

/** Parent → child messages. */
export type LoadCommand =
  | { type: 'init'; urls: string[]; localAddress: string; secret: string; conf: string; sites: LoadSite[]; offset: number }
  | { type: 'churn'; perSec: number }
  | { type: 'burst'; withinMs: number; value: number }
  | { type: 'close' };

/** Child → parent messages. */
export type LoadReport =
  | { type: 'ready'; sockets: number; connectMs: number; unsubscribed: number }
  | { type: 'churned'; updates: number }
  | { type: 'burstDone'; sent: number; acked: number; failed: number; ms: number; errors: Record<string, number>; ended: Record<string, number> }
  | { type: 'error'; message: string };

/** The delegate group a site of this level reports in the bench's conference. */
export const groupOf = (level: string) => (level === 'commune' ? 'c1' : level === 'district' ? 'd1' : 'p1');

const send = (m: LoadReport) => process.send!(m);

const connect = (url: string, token: string, client: string, localAddress: string) =>
  WireClient.connect({ url, namespace: CONTROL_NAMESPACE, auth: { token, client }, localAddress });

let techs: WireClient[] = [];
/** Consoles whose subscription was still refused after retries. */
let unsubscribed = 0;
let all: WireClient[] = [];
let sites: LoadSite[] = [];
let churn: NodeJS.Timeout | null = null;
/** Connections the service (or the network) ended, by why: a run that loses some says how. */
const ended: Record<string, number> = {};
const noteEnd = (why: string) => { ended[why] = (ended[why] ?? 0) + 1; };

async function init(m: Extract<LoadCommand, { type: 'init' }>) {
  sites = m.sites;
  const t0 = Date.now();
  const n = m.urls.length;
  techs = new Array(sites.length);
  // a few hundred handshakes in flight at once: more only queues in the servers' accept backlog
  for (let i = 0; i < sites.length; i += 200) {
    await Promise.all(sites.slice(i, i + 200).map(async (s, k) => {
      const j = m.offset + i + k;
      // hall and console of one site land on different instances, as a load balancer would spread them
      const [tech, hall] = await Promise.all([
        connect(m.urls[j % n]!, signToken(m.secret, { role: 'technician', conf: m.conf, site: s.id }), 'console', m.localAddress),
        connect(m.urls[(j + 1) % n]!, signToken(m.secret, { role: 'viewer', conf: m.conf, site: s.id }), 'hall', m.localAddress),
      ]);
      techs[i + k] = tech;
      all.push(tech, hall);
      tech.onEnd = (why) => noteEnd(`console: ${why}`);
      hall.onEnd = (why) => noteEnd(`hall: ${why}`);
      // the console follows the conference (it gets its site's figures); the hall screen stays
      // connected without a subscription, so the join costs what it did in earlier runs (one
      // snapshot per site; a hall's own subscription would add a second, see docs/CAPACITY.md)
      // an overloaded instance may refuse a subscription (the join storm of 100,000 sockets on two
      // shared cores): try again a little later, as the console does, and count what never got in
      for (let tries = 0; ; tries++) {
        const sub = (await tech.emitWithAck(ControlEvents.subscribe, { conf: m.conf }, 120_000)) as { ok: boolean };
        if (sub.ok) break;
        if (tries >= 4) { unsubscribed++; break; }
        await new Promise((r) => setTimeout(r, 2000 * (tries + 1)));
      }
    }));
  }
  send({ type: 'ready', sockets: all.length, connectMs: Date.now() - t0, unsubscribed });
}

function startChurn(perSec: number) {
  let carry = 0;
  let updates = 0;
  churn = setInterval(() => {
    carry += perSec / 20;
    for (; carry >= 1; carry--) {
      const i = Math.floor(Math.random() * sites.length);
      const s = sites[i]!;
      void techs[i]!.emitWithAck(ControlEvents.headcount, { site: s.id, group: groupOf(s.level), present: 1000 + Math.floor(Math.random() * 900) });
      updates++;
    }
  }, 50);
  return () => updates;
}

async function burst(withinMs: number, value: number) {
  const t0 = Date.now();
  let acked = 0;
  let failed = 0;
  const errors: Record<string, number> = {};
  const fail = (code: string) => { failed++; errors[code] = (errors[code] ?? 0) + 1; };
  const acks: Promise<void>[] = [];
  // spread evenly over the window, in 20 slices
  const slices = 20;
  const per = Math.ceil(sites.length / slices);
  for (let k = 0; k < slices; k++) {
    for (let i = k * per; i < Math.min(sites.length, (k + 1) * per); i++) {
      const s = sites[i]!;
      acks.push(techs[i]!.emitWithAck(ControlEvents.headcount, { site: s.id, group: groupOf(s.level), present: value }, 60_000)
        .then((r) => { const a = r as { ok: boolean; error?: { code: string } }; if (a.ok) acked++; else fail(a.error?.code ?? 'ERROR'); }));
    }
    await new Promise((r) => setTimeout(r, withinMs / slices));
  }
  await Promise.all(acks);
  send({ type: 'burstDone', sent: sites.length, acked, failed, ms: Date.now() - t0, errors, ended: { ...ended } });
}

let churned: (() => number) | null = null;
process.on('message', (m: LoadCommand) => {
  const fail = (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  switch (m.type) {
    case 'init': init(m).catch(fail); break;
    case 'churn':
      if (churn) clearInterval(churn);
      churn = null;
      if (m.perSec > 0) churned = startChurn(m.perSec);
      else send({ type: 'churned', updates: churned?.() ?? 0 });
      break;
    case 'burst': burst(m.withinMs, m.value).catch(fail); break;
    case 'close':
      if (churn) clearInterval(churn);
      for (const s of all) s.close();
      all = [];
      setTimeout(() => process.exit(0), 200);
      break;
  }
});
process.on('disconnect', () => process.exit(0));
