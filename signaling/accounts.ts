// Operator and organizer accounts: sign-in, sessions, the conference list and
// its actions (create, duplicate as a template, archive, organizers, open the
// organizer app). Browser-safe: zod only.
//
// Auth of these routes is a session token (`Authorization: Bearer ses_…`),
// never a cookie, like every other route of the control service (its /api
// answers any origin, which is only safe without cookies). The per-site
// invitation tokens of halls, technicians and check-in are not accepted here,
// and session tokens are not accepted by the conference routes: an organizer
// opens a conference with a short-lived organizer token minted by `openConference`.
import { z } from 'zod';
import { ConferenceInput, ConferenceState, Id, Ms, SiteLevel } from './control-model.js';
import type { RouteDef } from './control-routes.js';

export const AccountRole = z.enum(['operator', 'organizer']);
export type AccountRole = z.infer<typeof AccountRole>;

/** Lower-case login name without diacritics, e.g. "nguyenvana" or "btg.langson". */
export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'tên đăng nhập: 3–40 chữ thường không dấu, số, . _ - / username: 3–40 lower-case letters, digits, . _ -');
/** At least 10 characters; length is what makes a password strong. */
export const Password = z.string().min(10, 'mật khẩu ít nhất 10 ký tự / at least 10 characters').max(200);
/** The code of a one-time sign-in link (`admin.html#setup=<code>`). */
export const SetupCode = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'mã liên kết không đúng / malformed link code');

export const SignInReq = z.strictObject({ username: Username, password: z.string().min(1).max(200) });
export const SetupCheckReq = z.strictObject({ code: SetupCode });
export const SetupReq = z.strictObject({ code: SetupCode, password: Password });

export const AccountInfo = z.object({
  username: Username, role: AccountRole, createdAt: Ms, passwordSet: z.boolean(),
  /** Locked by an operator (someone left the office): no sign-in, no session, no link until unlocked. */
  lockedAt: Ms.optional(),
  lockedBy: Username.optional(),
});
export type AccountInfo = z.infer<typeof AccountInfo>;
export const Session = z.object({
  /** Bearer token of the session; keep it in this tab only. */
  token: z.string(),
  username: Username,
  role: AccountRole,
  expiresAt: Ms,
});
export type Session = z.infer<typeof Session>;
export const Me = Session.omit({ token: true });

/** What the list shows: the conference's own state, or archived. */
export const ConferenceStatus = z.enum([...ConferenceState.options, 'archived']);
export type ConferenceStatus = z.infer<typeof ConferenceStatus>;
export const ConferenceSummary = z.object({
  id: Id,
  title: z.string(),
  planNumber: z.string(),
  date: z.string(),
  plannedStart: z.string(),
  state: ConferenceState,
  status: ConferenceStatus,
  archivedAt: Ms.optional(),
  createdAt: Ms,
  updatedAt: Ms,
  sites: z.number().int().nonnegative(),
  /** Operators only: organizer accounts of the conference. */
  organizers: z.array(Username).optional(),
});
export type ConferenceSummary = z.infer<typeof ConferenceSummary>;

/** A new conference: its settings and, optionally, its root site (created with it). */
export const CreateConferenceReq = z.strictObject({
  id: Id,
  conference: ConferenceInput,
  root: z.strictObject({ name: z.string().trim().min(1).max(200), level: SiteLevel, mediaNode: Id }).optional(),
});
/**
 * Duplicate as a template: settings, agenda, site tree, delegate groups and
 * expected counts — never attendance, materials, invitations or organizers.
 * A new `date` moves the start, the report deadline and every agenda item by
 * the same number of days.
 */
export const DuplicateReq = z.strictObject({
  id: Id,
  title: z.string().trim().min(1).max(400).optional(),
  planNumber: z.string().trim().min(1).max(60).optional(),
  date: z.iso.date().optional(),
});
export const ArchiveReq = z.strictObject({ archived: z.boolean() });
export const AddOrganizerReq = z.strictObject({ username: Username });
export const OrganizerEntry = z.object({
  username: Username,
  passwordSet: z.boolean(),
  /** A one-time sign-in link path (`/admin.html#setup=…`), when the account has no password yet. */
  setupPath: z.string().optional(),
  setupExpiresAt: Ms.optional(),
});
export type OrganizerEntry = z.infer<typeof OrganizerEntry>;
export const OpenConference = z.object({
  /** Organizer token of this conference, valid `exp` (12 h by default). */
  token: z.string(),
  exp: z.number().int(),
  /** Path of the organizer app with the token. */
  path: z.string(),
});

/** An operator creates an account from the page; it gets a one-time sign-in link like `./diemcau admin create-operator`. */
export const CreateAccountReq = z.strictObject({ username: Username, role: AccountRole });
/** Lock an account (its sessions end, the organizer tokens they opened are revoked) or unlock it. */
export const LockAccountReq = z.strictObject({ locked: z.boolean() });
export const AccountCreated = z.object({ username: Username, role: AccountRole, setupPath: z.string(), setupExpiresAt: Ms });
/** The signed-in account's new password; its other sessions end. */
export const ChangePasswordReq = z.strictObject({ oldPassword: z.string().min(1, 'hãy nhập mật khẩu hiện tại / enter the current password').max(200), newPassword: Password });
export const PasswordChanged = z.object({ changed: z.literal(true), endedSessions: z.number().int().nonnegative() });

/** Who may call an account route: anyone (sign-in), any signed-in account, or operators. */
export type AccountAccess = 'public' | 'account' | 'operator';
export type AccountRouteDef = Omit<RouteDef, 'roles'> & { access: AccountAccess };

const Conf = z.object({ conf: Id });
const ConfUser = z.object({ conf: Id, username: Username });
const A = '/api/account';
const C = `${A}/conferences/:conf`;
const Removed = z.object({ username: Username, removed: z.literal(true) });

export const AccountRoutes = {
  signIn: { method: 'post', path: `${A}/sign-in`, body: SignInReq, res: Session, access: 'public', summary: 'Sign in with username and password (rate-limited per username and per address)' },
  setupCheck: { method: 'post', path: `${A}/setup/check`, body: SetupCheckReq, res: z.object({ username: Username, role: AccountRole }), access: 'public', summary: 'Whose one-time sign-in link this is (does not use it up)' },
  setup: { method: 'post', path: `${A}/setup`, body: SetupReq, res: Session, access: 'public', summary: 'First sign-in: set the password with the one-time link, which is then used up' },
  signOut: { method: 'post', path: `${A}/sign-out`, res: z.object({ signedOut: z.literal(true) }), access: 'account', summary: 'End the session (organizer tokens it opened are revoked)' },
  me: { method: 'get', path: `${A}/me`, res: Me, access: 'account', summary: 'The signed-in account' },
  listConferences: { method: 'get', path: `${A}/conferences`, res: z.array(ConferenceSummary), access: 'account', summary: 'Conferences (an organizer: only its own)' },
  createConference: { method: 'post', path: `${A}/conferences`, body: CreateConferenceReq, res: ConferenceSummary, access: 'operator', summary: 'Create a conference (draft)' },
  duplicateConference: { method: 'post', path: `${C}/duplicate`, params: Conf, body: DuplicateReq, res: ConferenceSummary, access: 'operator', summary: 'New draft from an earlier conference as a template' },
  archiveConference: { method: 'post', path: `${C}/archive`, params: Conf, body: ArchiveReq, res: ConferenceSummary, access: 'operator', summary: 'Archive (or restore); a rehearsing or live conference cannot be archived' },
  listOrganizers: { method: 'get', path: `${C}/organizers`, params: Conf, res: z.array(OrganizerEntry), access: 'operator', summary: 'Organizer accounts of a conference' },
  addOrganizer: { method: 'post', path: `${C}/organizers`, params: Conf, body: AddOrganizerReq, res: OrganizerEntry, access: 'operator', summary: 'Add an organizer account (created with a one-time sign-in link if new)' },
  removeOrganizer: { method: 'delete', path: `${C}/organizers/:username`, params: ConfUser, res: Removed, access: 'operator', summary: 'Remove an organizer from a conference' },
  listAccounts: { method: 'get', path: `${A}/accounts`, res: z.array(AccountInfo), access: 'operator', summary: 'Every operator and organizer account' },
  createAccount: { method: 'post', path: `${A}/accounts`, body: CreateAccountReq, res: AccountCreated, access: 'operator', summary: 'Create an operator or organizer account; answers its one-time sign-in link' },
  accountLink: { method: 'post', path: `${A}/accounts/:username/link`, params: z.object({ username: Username }), res: AccountCreated, access: 'operator', summary: 'A new one-time sign-in link for an account (forgotten password); its sessions end' },
  lockAccount: { method: 'post', path: `${A}/accounts/:username/lock`, params: z.object({ username: Username }), body: LockAccountReq, res: AccountInfo, access: 'operator', summary: 'Lock an account (its sessions end, the organizer tokens it opened are revoked) or unlock it; never your own, never the last operator' },
  changePassword: { method: 'post', path: `${A}/password`, body: ChangePasswordReq, res: PasswordChanged, access: 'account', summary: 'Change the signed-in account\'s password (current one required); its other sessions end' },
  openConference: { method: 'post', path: `${C}/open`, params: Conf, res: OpenConference, access: 'account', summary: 'Organizer token for the organizer app of this conference (operators, or its organizers)' },
} as const satisfies Record<string, AccountRouteDef>;

export type AccountRouteName = keyof typeof AccountRoutes;
export type AccountRouteRes<K extends AccountRouteName> = z.infer<(typeof AccountRoutes)[K]['res']>;

export function accountPath(name: AccountRouteName, params: Record<string, string> = {}): string {
  return AccountRoutes[name].path.replace(/:([a-z]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? `:${k}`));
}
