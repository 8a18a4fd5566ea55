// What a node accepts from its neighbours on the node channel, whose shared
// secret any district server holds: from a child only the floor site's
// contribution, and sessions only for conferences control named.
import type { Logger } from 'pino';
import { AppError } from '../signaling/common.js';
import type { Link } from './link.js';
import type { Session } from './session.js';

/**
 * Media a child node may send up: a site's contribution while that site holds the floor (and,
 * once bound, only the bound one) — never a source, never anything for a site without the floor.
 */
export function assertFromBelow(s: Session | undefined, link: Link, m: { conf: string; site: string; tag: string; contribution: string | null }, log: Logger): void {
  // an enrolled child: only sites of its own subtree, as control signed it
  if (link.subtree && !link.subtree.has(m.site)) {
    log.warn({ child: link.peerId, conf: m.conf, site: m.site }, 'media from a child node refused: site outside its subtree');
    throw new AppError('FORBIDDEN', `site ${m.site} is not in the subtree of node ${link.peerId}`);
  }
  const ok = m.tag === 'contributor' && !!s && s.floor === m.site && (s.contribution === null || s.contribution === m.contribution);
  if (ok) return;
  log.warn({ child: link.peerId, conf: m.conf, site: m.site, tag: m.tag }, 'media from a child node refused: not the floor contribution');
  throw new AppError('FORBIDDEN', 'from below only the floor site\'s contribution');
}

/** Conferences a node may open for a neighbour: control named them, or one runs there already. */
export function knowsConference(conf: string, o: { running: boolean; carries: string[] | null; rooted: string[] }): boolean {
  if (o.running) return true;
  // before control has said anything (or with no control at all) every conference is welcome
  if (o.carries === null) return true;
  return o.carries.includes(conf) || o.rooted.includes(conf);
}
