// Invitation tokens for the demo conference, computed from the demo data and
// TOKEN_SECRET alone (no Redis): one organizer token, one conference-wide
// viewer token, and per site a technician, participant and hall-viewer token.
// Run directly to print JSON:  node --import tsx server/demo/links.ts [--out file]
import { writeFileSync } from 'node:fs';
import { signToken, type TokenKey } from '../../signaling/token.js';
import { DEMO_CONF, demoSites } from './data.js';

export interface DemoLinks {
  conference: string;
  organizer: string;
  viewer: string;
  sites: Record<string, { technician: string; participant: string; viewer: string; mediaNode: string; level: string; parent: string | null }>;
}

export function demoLinks(opts: { tokenSecret: TokenKey; ttlHours?: number }): DemoLinks {
  const ttlSeconds = (opts.ttlHours ?? 24 * 7) * 3600;
  const sign = (role: 'organizer' | 'technician' | 'participant' | 'viewer', site?: string) =>
    signToken(opts.tokenSecret, { role, conf: DEMO_CONF, ...(site ? { site } : {}), ttlSeconds });
  const sites: DemoLinks['sites'] = {};
  for (const s of demoSites()) {
    sites[s.id] = { technician: sign('technician', s.id), participant: sign('participant', s.id), viewer: sign('viewer', s.id), mediaNode: s.mediaNode, level: s.level, parent: s.parent };
  }
  return { conference: DEMO_CONF, organizer: sign('organizer'), viewer: sign('viewer'), sites };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const secret = process.env.TOKEN_SECRET;
  if (!secret) {
    console.error('TOKEN_SECRET is required');
    process.exit(2);
  }
  const out = JSON.stringify(demoLinks({ tokenSecret: secret }), null, 2);
  const i = process.argv.indexOf('--out');
  if (i > 0 && process.argv[i + 1]) writeFileSync(process.argv[i + 1]!, out);
  else console.log(out);
}
