// Media nodes that enrol themselves. The operator adds a node (id, name) and
// gets a one-time enrolment code; the node, started with only its id, the
// control URL and that code, trades the code for its own long-lived
// credential (kept in a file on the node), then with the credential gets what
// it needs at every start: control's public keys, its parent, the sites it
// serves, and short-lived node tokens signed by control (they prove its id to
// its parent and children). Revoking or re-enrolling a node voids its
// credential and closes its links.
import { z } from 'zod';
import { Id, Ms } from './control-model.js';

const N = '/api/media-nodes';

/** A node id as the site tree names it (`mediaNode` of a site). */
export const MediaNodeId = Id;
/** One-time enrolment code: 24 random bytes, base64url. */
export const EnrolCode = z.string().trim().regex(/^[A-Za-z0-9_-]{20,100}$/, 'mã đăng ký không đúng dạng / malformed enrolment code');
/** A node's credential: `<node id>.<secret>`; control keeps only its SHA-256. */
export const NodeCredential = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}\.[A-Za-z0-9_-]{40,100}$/, 'malformed node credential');

export const CreateMediaNodeReq = z.strictObject({
  id: MediaNodeId,
  name: z.string().trim().min(1, 'tên máy chủ không được trống / the name is required').max(200),
});
export type CreateMediaNodeReq = z.infer<typeof CreateMediaNodeReq>;

/** Shown once, to the operator who asked for it. */
export const EnrolCodeRes = z.object({ nodeId: MediaNodeId, code: EnrolCode, expiresAt: Ms });
export type EnrolCodeRes = z.infer<typeof EnrolCodeRes>;

export const EnrolReq = z.strictObject({ nodeId: MediaNodeId, code: EnrolCode });
export type EnrolReq = z.infer<typeof EnrolReq>;
export const EnrolRes = z.object({ nodeId: MediaNodeId, credential: NodeCredential });
export type EnrolRes = z.infer<typeof EnrolRes>;

/** What a node gets at every start with its credential (Authorization: Bearer <credential>). */
export const NodeSetup = z.object({
  nodeId: MediaNodeId,
  /** Control's Ed25519 public keys (kid → PEM): people's tokens and node tokens are checked with them. */
  publicKeys: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), z.string().max(2000)),
  /** The planned parent node (from the site tree); url null while it has not reported where it listens. */
  parent: z.object({ nodeId: MediaNodeId, url: z.string().url().nullable() }).nullable(),
  /** Sites this node serves now (conference root sites first). */
  sites: z.array(Id).max(50_000),
  /** A node token signed by control (role node, site = this node id, sites = its subtree). */
  token: z.string().min(1).max(2_000_000),
});
export type NodeSetup = z.infer<typeof NodeSetup>;

export const MediaNodeState = z.enum(['waiting', 'enrolled', 'revoked']);
/** One row of the operator's node list. */
export const MediaNodeEntry = z.object({
  id: MediaNodeId,
  name: z.string(),
  state: MediaNodeState,
  createdAt: Ms,
  enrolledAt: Ms.nullable(),
  /** An unused code exists until then. */
  codeExpiresAt: Ms.nullable(),
  /** Linked to control now. */
  online: z.boolean(),
  /** Its parent link is up (a root node: null). */
  parentUp: z.boolean().nullable(),
  parent: z.string().nullable(),
  url: z.string().nullable(),
  sites: z.array(Id),
  halls: z.number().int().nonnegative(),
  /** CPU use over the last report interval, 0–100 % of one core times the cores; null before a report. */
  cpuPercent: z.number().nonnegative().nullable(),
  memoryMb: z.number().nonnegative().nullable(),
});
export type MediaNodeEntry = z.infer<typeof MediaNodeEntry>;

const NodeParam = z.strictObject({ node: MediaNodeId });

export interface MediaNodeRouteDef {
  method: 'get' | 'post';
  path: string;
  params?: z.ZodType;
  body?: z.ZodType;
  res: z.ZodType;
  /** operator: a signed-in operator; code: the enrolment code in the body; credential: the node's own. */
  access: 'operator' | 'code' | 'credential';
  summary: string;
}

export const MediaNodeRoutes = {
  list: { method: 'get', path: N, res: z.array(MediaNodeEntry), access: 'operator', summary: 'Media nodes with their state (online, parent link, halls, CPU, memory)' },
  create: { method: 'post', path: N, body: CreateMediaNodeReq, res: EnrolCodeRes, access: 'operator', summary: 'Add a media node: returns its one-time enrolment code (shown once)' },
  newCode: { method: 'post', path: `${N}/:node/code`, params: NodeParam, res: EnrolCodeRes, access: 'operator', summary: 'A new enrolment code (re-enrolling voids the node\'s credential and closes its links)' },
  revoke: { method: 'post', path: `${N}/:node/revoke`, params: NodeParam, res: z.object({ nodeId: MediaNodeId, revoked: z.literal(true) }), access: 'operator', summary: 'Revoke a node: its credential and tokens stop working, its links close' },
  enrol: { method: 'post', path: `${N}/enrol`, body: EnrolReq, res: EnrolRes, access: 'code', summary: 'A node trades its one-time code for its credential (single use, short-lived)' },
  setup: { method: 'post', path: `${N}/setup`, res: NodeSetup, access: 'credential', summary: 'A node\'s keys, parent, sites and a fresh node token' },
} as const satisfies Record<string, MediaNodeRouteDef>;
export type MediaNodeRouteName = keyof typeof MediaNodeRoutes;

/** How long an enrolment code works. */
export const ENROL_CODE_TTL_MS = 24 * 3600_000;
/** How long a node token lives; the node gets a fresh one long before (link:sites). */
export const NODE_TOKEN_TTL_S = 15 * 60;
