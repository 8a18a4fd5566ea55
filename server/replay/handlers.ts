// Handlers of ReplayRoutes (signaling/recording.ts), spread into server/handlers.ts.
import { AppError } from '../../signaling/common.js';
import { assertConf, assertSite, type Auth } from '../auth.js';
import type { Ctx } from '../context.js';
import { listReplays, recordReplay } from './store.js';

interface Input { params: any; query: any; body: any }
type Handler = (ctx: Ctx, a: Auth, i: Input) => Promise<unknown>;

export const replayHandlers: Record<'listReplays' | 'postReplay', Handler> = {
  listReplays: async (c, a, { params, query }) => {
    assertConf(a, params.conf);
    // a site-bound reader sees its own site's sessions only
    if (a.role === 'organizer' || (a.role === 'viewer' && !a.site)) return listReplays(c, params.conf, query.site);
    if (query.site && query.site !== a.site) throw new AppError('FORBIDDEN', 'Liên kết này chỉ xem được điểm cầu của mình. / This link reads its own site only.');
    return listReplays(c, params.conf, a.site ?? '-none-');
  },
  postReplay: async (c, a, { params, body }) => {
    assertSite(a, params.conf, body.site);
    // who entered it, readable in the reports; the token id ties it to the invitation
    return recordReplay(c, params.conf, body, `${a.role}${a.site ? `:${a.site}` : ''}#${a.jti}`);
  },
};
