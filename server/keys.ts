// Every Redis key the control service uses, in one place (all under the prefix).
export function makeKeys(p: string) {
  return {
    prefix: p,
    confs: `${p}confs`,
    conf: (c: string) => `${p}conf:${c}`,
    sites: (c: string) => `${p}sites:${c}`,
    groups: (c: string) => `${p}groups:${c}`,
    /** a site's own hall: p:<group>, e:<group>, _rep, _online, _upd */
    att: (c: string, s: string) => `${p}att:${c}:${s}`,
    /** a site's subtree totals: p:<group>, e:<group>, _sites, _online, _rep */
    ru: (c: string, s: string) => `${p}ru:${c}:${s}`,
    seq: (c: string) => `${p}seq:${c}`,
    attStream: (c: string) => `${p}stream:${c}:attendance`,
    presStream: (c: string) => `${p}stream:${c}:presence`,
    checkins: (c: string) => `${p}checkins:${c}`,
    /** check-ins recorded per site (bounded: MAX_CHECKINS_PER_SITE) */
    checkinCount: (c: string) => `${p}checkincount:${c}`,
    pres: (c: string, s: string) => `${p}pres:${c}:${s}`,
    presEvents: (c: string, s: string) => `${p}presev:${c}:${s}`,
    instSites: (i: string) => `${p}instsites:${i}`,
    insts: `${p}insts`,
    heartbeat: (i: string) => `${p}hb:${i}`,
    agenda: (c: string) => `${p}agenda:${c}`,
    materials: (c: string) => `${p}materials:${c}`,
    deliveries: (c: string, m: string) => `${p}dlv:${c}:${m}`,
    incidents: (c: string) => `${p}incidents:${c}`,
    rehearsals: (c: string) => `${p}rehearsals:${c}`,
    /** replay sessions ("học tập lại"): id → JSON (server/replay/store.ts) */
    replays: (c: string) => `${p}replays:${c}`,
    floor: (c: string) => `${p}floor:${c}`,
    invitations: (c: string) => `${p}inv:${c}`,
    revoked: `${p}revoked`,
    /** short links of site invitations (store/short-links.ts): code → record, a conference's jti → code */
    short: (code: string) => `${p}short:${code}`,
    shortOf: (c: string) => `${p}shortof:${c}`,
    /** wrong short codes per address (rate-limiter-flexible) */
    shortLimit: `${p}short:rl`,
    /** media node id → its parent node id ('' for none), as the nodes report it */
    mediaParents: `${p}medianodes:parent`,
    /** media node id → the URL it reported (how other nodes reach it) */
    mediaUrls: `${p}medianodes:url`,
    /** enrolled media nodes (server/media-nodes/store.ts): node JSON, every node id, unused enrolment codes by SHA-256 */
    mediaNode: (n: string) => `${p}mnode:${n}`,
    mediaNodeIds: `${p}mnode:ids`,
    enrolCode: (h: string) => `${p}mnode:code:${h}`,
    /** a linked node's last state (JSON, expires when it stops reporting) */
    mediaNodeStatus: (n: string) => `${p}mnode:status:${n}`,
    /** who is really watching (server/watching.ts): per site JSON, per site events, per node its conf|site with halls */
    watch: (c: string) => `${p}watch:${c}`,
    watchEvents: (c: string, s: string) => `${p}watchev:${c}:${s}`,
    watchNode: (n: string) => `${p}watchnode:${n}`,
    upward: (c: string) => `${p}upward:${c}`,
    reminder: (c: string) => `${p}reminder:${c}`,
    /** accounts (store/accounts.ts): account JSON, every username, one-time link codes by SHA-256 and each account's current one */
    account: (u: string) => `${p}acct:user:${u}`,
    accounts: `${p}acct:users`,
    setupCode: (h: string) => `${p}acct:setup:${h}`,
    setupOf: (u: string) => `${p}acct:setupof:${u}`,
    /** sessions by SHA-256 of the token, each account's sessions, organizer tokens a session opened */
    session: (h: string) => `${p}acct:sess:${h}`,
    sessionsOf: (u: string) => `${p}acct:sessof:${u}`,
    sessionTokens: (h: string) => `${p}acct:sesstok:${h}`,
    /** an organizer account's conferences, a conference's organizer accounts, archived conferences (id → ms) */
    accountConfs: (u: string) => `${p}acct:confs:${u}`,
    confOrganizers: (c: string) => `${p}acct:orgs:${c}`,
    archived: `${p}acct:archived`,
    /** sign-in rate limiter keys (rate-limiter-flexible) */
    signInLimit: `${p}acct:rl`,
    /** pub/sub channels */
    receiptChannel: `${p}ch:receipt`,
    treeChannel: `${p}ch:tree`,
    /** JSON array of revoked token ids, for the media nodes (server/revocation.ts) */
    revokeChannel: `${p}ch:revoke`,
    rollupPushChannel: `${p}ch:rollup-push`,
    bullPrefix: `${p}bull`,
  };
}
export type Keys = ReturnType<typeof makeKeys>;
