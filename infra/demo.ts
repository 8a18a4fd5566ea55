// `./diemcau demo [--links-out links.json] [--control-port 7100] [--media-port 7201] [--no-tls]`
// Starts Redis (if none answers), the control service with the demo conference,
// then the demo cascade of media nodes, each enrolled the way an operator
// enrols one (an entry and a one-time code; the node starts with only its id,
// the control URL and the code), then prints one line per page:
// `role site url`. Ctrl-C (or SIGTERM) stops every child. Port 0 = free ports;
// REDIS_URL, REDIS_PREFIX, DATA_DIR pass through to the control service.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { generateKeyring, loadKeyring, signToken, type TokenKey } from '../signaling/token.js';
import { makeKeys } from '../server/keys.js';
import { createNode, getNode, issueCode } from '../server/media-nodes/store.js';
import { Cascade } from './cascade.js';
import { CONFERENCE_ID, CENTRE, demoNodes } from './demo-sites.js';
import { TWO_TIER_CONF } from '../server/demo/two-tier.js';
import { REPO_ROOT, Service, freePort, waitHttp } from './proc.js';
import { ensureTls, trustCa } from './tls.js';
import { startTurn } from './turn.js';

const { values: args } = parseArgs({
  options: {
    'links-out': { type: 'string' },
    'control-port': { type: 'string', default: '7100' },
    'media-port': { type: 'string', default: '7201' },
    // plain http on 127.0.0.1 (camera pages still work there); default: https with the demo's own CA
    'no-tls': { type: 'boolean', default: false },
  },
});

/** A page the demo offers. */
export interface DemoLink {
  role: string;
  site: string;
  url: string;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const LOG_DIR = '.cache/demo-logs';
/** Where the demo's enrolled nodes keep their credentials. */
const NODE_DATA_DIR = '.cache/demo-nodes';

/** One-time enrolment codes for the demo's nodes, made in the control service's Redis as the operator's screen makes them. */
async function enrolmentCodes(redisUrl: string): Promise<{ code: (nodeId: string) => Promise<string>; close: () => void }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const ctx = { redis, keys: makeKeys(process.env.REDIS_PREFIX ?? 'dc:') };
  return {
    // a node of an earlier run gets a new code (it enrols again; its old credential stops working)
    code: async (id) => ((await getNode(ctx, id)) ? await issueCode(ctx, id) : await createNode(ctx, id, `Máy chủ ${id}`)).code,
    close: () => redis.disconnect(),
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** The wanted port if free, else a free one. */
async function portOr(port: number): Promise<number> {
  return (await portFree(port)) ? port : freePort();
}

function commandExists(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The wanted port if free, else 0 (the cascade then picks one). */
async function portOr0(port: number): Promise<number> {
  return (await portFree(port)) ? port : 0;
}

async function main(): Promise<void> {
  execFileSync('bash', ['infra/ensure-redis.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (!existsSync(resolve(REPO_ROOT, 'dist/client/hall.html'))) {
    say('building web apps…');
    execFileSync('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'error'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  // people's tokens: an Ed25519 key made for this run; only the control service gets the private
  // key (a file only it reads), the media nodes get the public key
  const tokenSecret = randomBytes(24).toString('base64url');
  const nodeSecret = randomBytes(24).toString('base64url');
  const keys = generateKeyring(`demo-${Date.now().toString(36)}`);
  const keyDir = mkdtempSync(join(tmpdir(), 'diemcau-keys-'));
  const keyFile = join(keyDir, 'token-keys.json');
  writeFileSync(keyFile, JSON.stringify(keys.signing), { mode: 0o600 });
  const signer = loadKeyring(keys.signing);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // TLS: a local CA (kept in .cache/tls across runs, so a browser that trusts it once keeps trusting
  // it) signs a certificate for 127.0.0.1, localhost and ANNOUNCED_IP if set
  const tls = args['no-tls'] ? null : ensureTls(process.env.ANNOUNCED_IP ? [process.env.ANNOUNCED_IP] : []);
  if (tls) trustCa(tls.caFile);
  const scheme = tls ? 'https' : 'http';
  // coturn for halls that cannot reach a node directly (TURN over TLS needs the certificate)
  let turnServer: Service | null = null;
  let turn: { urls: string[]; secret: string } | undefined;
  if (tls && commandExists('turnserver')) {
    const secret = randomBytes(24).toString('base64url');
    const [tlsPort, port] = [await portOr(5349), await portOr(3478)];
    try {
      turnServer = await startTurn({ listenIp: '127.0.0.1', tlsPort, port, certFile: tls.certFile, keyFile: tls.keyFile, secret, relayIp: '127.0.0.1', allowLoopbackPeers: true, logFile: `${LOG_DIR}/turn.log` });
      turn = { urls: [`turns:127.0.0.1:${tlsPort}?transport=tcp`, `turn:127.0.0.1:${port}`], secret };
    } catch (err) {
      say(`TURN relay not started (${(err as Error).message.split('\n')[0]}); halls connect directly`);
    }
  }

  let stopping = false;
  const nodes = demoNodes();
  const base = Number(args['media-port']);
  const ports: Record<string, number> = {};
  // --media-port 0: every node on a free port (tests).
  for (const [i, n] of nodes.entries()) ports[n.nodeId] = base === 0 ? 0 : await portOr0(base + i);

  let cascade: Cascade | null = null;
  const restarts = new Map<string, number>();
  let control: Service | null = null;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await control?.stop();
    await cascade?.close();
    await turnServer?.stop();
    rmSync(keyDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  // The control port is chosen first: the media nodes enrol with it, report to it and take the
  // floor from it.
  const withControl = existsSync(resolve(REPO_ROOT, 'server/main.ts'));
  let controlPort = Number(args['control-port']);
  if (withControl && (controlPort === 0 || !(await portFree(controlPort)))) controlPort = await freePort();
  let controlUrl: string | null = withControl ? `${scheme}://127.0.0.1:${controlPort}` : null;

  // The control service first: the media nodes enrol with it and get their sites and parents from it.
  if (withControl && controlUrl) {
    const port = controlPort;
    control = new Service({
      name: 'control',
      entry: 'server/main.ts',
      args: ['--demo'],
      logFile: `${LOG_DIR}/control.log`,
      env: {
        CONTROL_PORT: String(port), TOKEN_SECRET: tokenSecret, TOKEN_KEYS_FILE: keyFile, REDIS_URL: redisUrl,
        ...(tls ? { TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile, NODE_EXTRA_CA_CERTS: tls.caFile } : {}),
      },
      onUnexpectedExit: (code) => { if (!stopping) say(`control exited (code ${code}); see ${LOG_DIR}/control.log`); },
    });
    control.start();
    try {
      await waitHttp(`${controlUrl}/`, 60_000, () => control!.running);
    } catch (err) {
      say(`control service did not start: ${(err as Error).message}; see ${LOG_DIR}/control.log`);
      return shutdown(1);
    }
  } else {
    say('(control service not built yet: media spine only)');
    controlUrl = null;
  }

  // Each node is added as the operator's "add a media node" does (server/media-nodes/store.ts) and
  // started with only its id, the control URL and its one-time code.
  const codes = controlUrl ? await enrolmentCodes(redisUrl) : null;
  try {
    cascade = await Cascade.start({
      nodes, ports, logDir: LOG_DIR,
      ...(controlUrl && codes ? { controlUrl, requireMediaTokens: true, enrol: { code: codes.code, dataDir: NODE_DATA_DIR } } : { tokenPublicKeys: keys.public.publicKeys, nodeSecret }),
      ...(tls ? { tls } : {}), ...(turn ? { turn } : {}),
      onUnexpectedExit: (id, code) => {
        if (stopping || !cascade) return;
        // A crashed node comes back by itself (its halls and children reconnect), with a growing pause.
        const tries = (restarts.get(id) ?? 0) + 1;
        restarts.set(id, tries);
        const delay = Math.min(30_000, 1000 * 2 ** (tries - 1));
        say(`media node ${id} exited (code ${code}); restarting in ${delay / 1000} s — see ${LOG_DIR}/${id}.log`);
        setTimeout(() => {
          if (stopping) return;
          cascade!.startNode(id).then(() => say(`media node ${id} is back`), (err: Error) => say(`media node ${id}: ${err.message}`));
        }, delay);
      },
    });
  } catch (err) {
    say(`media nodes did not start: ${(err as Error).message}; see ${LOG_DIR}/`);
    return shutdown(1);
  } finally {
    codes?.close();
  }

  await cascade.waitLinked(30_000).catch(() => say('some media nodes are not linked to their parent yet; they keep trying'));

  const links = demoLinks(cascade, controlUrl, signer);
  for (const l of links) say(`${l.role} ${l.site} ${l.url}`);
  if (args['links-out']) writeFileSync(resolve(process.cwd(), args['links-out']), JSON.stringify(links, null, 2));
  if (tls) {
    say(`https: the demo's own certificate authority signed these addresses (${relative(REPO_ROOT, tls.caFile)}). To open them without a`);
    say('warning, import that file into the browser\'s trusted authorities once (Chromium: Settings → Privacy and security →');
    say('Security → Manage certificates → Authorities → Import), or start the demo with --no-tls for plain http on this machine.');
  }
  say(`ready — Ctrl-C stops everything (logs in ${LOG_DIR}/)`);
}

const HALLS = ['ls', 'ls-trangdinh', 'ls-trangdinh-01', 'ls-caoloc-01'];

function pageExists(page: string): boolean {
  return existsSync(resolve(REPO_ROOT, `client/pages/${page}.html`));
}

export function demoLinks(cascade: Cascade, controlUrl: string | null, secret: TokenKey): DemoLink[] {
  const tok = (role: 'organizer' | 'technician' | 'participant' | 'viewer', site?: string) =>
    encodeURIComponent(signToken(secret, { role, conf: CONFERENCE_ID, ...(site ? { site } : {}), ttlSeconds: 2 * 24 * 3600 }));
  // Media pages load from their media node; `control=` names the control service, where they exchange
  // the link for short-lived media tokens and read the overlay (maket, agenda) and the recording state.
  const control = controlUrl ? `&control=${encodeURIComponent(controlUrl)}` : '';
  const links: DemoLink[] = [
    { role: 'studio', site: CENTRE, url: `${cascade.urlOfSite(CENTRE)}/studio.html?site=${CENTRE}&token=${tok('organizer')}${control}` },
  ];
  for (const site of HALLS) links.push({ role: 'hall', site, url: `${cascade.urlOfSite(site)}/hall.html?site=${site}&token=${tok('viewer', site)}${control}` });
  links.push({
    role: 'contributor', site: 'ls-caoloc',
    url: `${cascade.urlOfSite('ls-caoloc')}/studio.html?role=contributor&site=ls-caoloc&token=${tok('technician', 'ls-caoloc')}${control}`,
  });
  if (controlUrl) {
    if (pageExists('organizer')) {
      links.push({ role: 'organizer', site: 'ls', url: `${controlUrl}/organizer.html?token=${tok('organizer')}` });
      // the second demo, of today's two-tier shape (server/demo/two-tier.ts), loaded through the same import
      const two = encodeURIComponent(signToken(secret, { role: 'organizer', conf: TWO_TIER_CONF, ttlSeconds: 2 * 24 * 3600 }));
      links.push({ role: 'organizer', site: '20', url: `${controlUrl}/organizer.html?token=${two}` });
    }
    if (pageExists('technician')) {
      for (const site of ['ls', 'ls-trangdinh-01']) links.push({ role: 'technician', site, url: `${controlUrl}/technician.html?site=${site}&token=${tok('technician', site)}` });
    }
    if (pageExists('checkin')) {
      for (const site of ['ls', 'ls-trangdinh-01']) links.push({ role: 'checkin', site, url: `${controlUrl}/checkin.html?site=${site}&token=${tok('participant', site)}` });
    }
  }
  return links;
}

void main();
