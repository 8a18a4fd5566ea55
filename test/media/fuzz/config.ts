// The fixed identities of the fuzzed cascade, shared by every fuzz module: its
// conferences, the secrets its nodes are started with (made once per run),
// the tokens signed with them, and how many payloads each property sends.
import { randomBytes } from 'node:crypto';
import { signToken } from '../../../signaling/token.js';

export const CONF = 'ls-fuzz';
/** A conference the cascade also serves, for ids "of another conference". */
export const OTHER = 'ls-khac';
export const TOKEN_SECRET = randomBytes(16).toString('hex');
export const NODE_SECRET = randomBytes(16).toString('hex');
export const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' };
export const PARENT_ID = 'fuzz-parent';
export const TREE_IDS = ['centre', 'langson', 'binhgia', PARENT_ID];
/** The nodes' socket.io maxHttpBufferSize: a bigger frame closes the connection before any handler sees it. */
export const FRAME_LIMIT = 256 * 1024;

export type PersonRole = 'organizer' | 'technician' | 'participant' | 'viewer';
export const tok = (role: PersonRole, site?: string, conf = CONF) => signToken(TOKEN_SECRET, { role, conf, ...(site ? { site } : {}) });
export const nodeTok = () => signToken(NODE_SECRET, { role: 'node', conf: '*', site: `fuzz-${randomBytes(3).toString('hex')}`, ttlSeconds: 3600 });
export const ORG = tok('organizer');
/** Organizer of every conference: only ever used to read /stats for the state hash. */
export const ALL_CONFS = tok('organizer', undefined, '*');

// Runs per property (the total is asserted to be at least MIN_MALFORMED).
export const RUNS = { hallEvent: 70, hallScope: 150, hallMediasoup: 60, handshake: 40, nodeEvent: 45, parentEvent: 40, nodeScope: 80, httpBody: 150, httpAuth: 100, httpRaw: 100, httpPath: 60, httpScope: 120, valid: 25 };
export const MIN_MALFORMED = 1000;
