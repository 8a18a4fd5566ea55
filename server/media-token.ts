// The exchange of an invitation for a short-lived media token
// (signaling/media-token.ts). authenticate() has already refused a revoked or
// expired invitation; the media token carries the same role, conference and
// site, the invitation's id (`inv`, so revoking it reaches the media token
// too), and never outlives the invitation.
import { MEDIA_TOKEN_TTL_S, type MediaTokenRes } from '../signaling/media-token.js';
import { signToken } from '../signaling/token.js';
import { assertConf, type Auth } from './auth.js';
import type { Ctx } from './context.js';
import type { Input } from './handlers.js';

export const mediaTokenHandlers = {
  mediaToken: async (ctx: Ctx, a: Auth, { params }: Input): Promise<MediaTokenRes> => {
    assertConf(a, params.conf);
    const now = Math.floor(Date.now() / 1000);
    const exp = Math.min(a.exp, now + MEDIA_TOKEN_TTL_S);
    // a media token exchanged again stays tied to the first invitation
    const inv = a.inv ?? a.jti;
    const token = signToken(ctx.tokenKey, { role: a.role, conf: a.conf, ...(a.site ? { site: a.site } : {}), inv, exp });
    return { token, exp };
  },
};
