// Invitation links: signed tokens per role and scope, listed and revocable.
import { AppError } from '../../signaling/common.js';
import { signToken, verifyToken } from '../../signaling/token.js';
import type { Invitation } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { announceRevoked } from '../revocation.js';
import { listSites, siteRecord } from './conference.js';
import { hgetJson, hvalsJson } from './util.js';

export interface IssueReq { role: Invitation['role']; site?: string; label?: string; ttlHours: number }

export async function issueInvitation(ctx: Ctx, conf: string, req: IssueReq): Promise<Invitation> {
  if ((req.role === 'technician' || req.role === 'participant') && !req.site) throw new AppError('BAD_REQUEST', `${req.role} needs a site`);
  if (req.role === 'organizer' && req.site) throw new AppError('BAD_REQUEST', 'organizer tokens are conference-wide');
  if (req.site) await siteRecord(ctx, conf, req.site);
  const token = signToken(ctx.tokenKey, { role: req.role, conf, ...(req.site ? { site: req.site } : {}), ttlSeconds: req.ttlHours * 3600 });
  const claims = verifyToken(ctx.tokenKey, token);
  const inv: Invitation = {
    jti: claims.jti, role: req.role, ...(req.site ? { site: req.site } : {}), ...(req.label ? { label: req.label } : {}),
    createdAt: Date.now(), exp: claims.exp, revoked: false,
  };
  await ctx.redis.hset(ctx.keys.invitations(conf), inv.jti, JSON.stringify(inv));
  return { ...inv, token };
}

export async function issueBulk(ctx: Ctx, conf: string, role: 'technician' | 'participant' | 'viewer', sites: string[] | undefined, ttlHours: number) {
  const ids = sites ?? (await listSites(ctx, conf)).map((s) => s.id);
  const out: Invitation[] = [];
  for (const site of ids) out.push(await issueInvitation(ctx, conf, { role, site, ttlHours }));
  return out;
}

export async function listInvitations(ctx: Ctx, conf: string): Promise<Invitation[]> {
  return (await hvalsJson<Invitation>(ctx, ctx.keys.invitations(conf))).sort((a, b) => a.createdAt - b.createdAt);
}

/** Revokes a token id; open sockets using it are told and disconnected (on every instance). */
export async function revokeInvitation(ctx: Ctx, conf: string, jti: string) {
  const inv = await hgetJson<Invitation>(ctx, ctx.keys.invitations(conf), jti);
  // only this conference's own invitations: the revoked set is shared by every conference
  if (!inv) throw new AppError('NOT_FOUND', 'Không có thư mời này trong hội nghị; hãy tải lại danh sách thư mời. / No such invitation in this conference; reload the list.');
  await ctx.redis.multi().sadd(ctx.keys.revoked, jti).hset(ctx.keys.invitations(conf), jti, JSON.stringify({ ...inv, revoked: true })).exec();
  await announceRevoked(ctx, [jti]);
  return { jti, revoked: true as const };
}
