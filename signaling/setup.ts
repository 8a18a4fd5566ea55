// The organizer's setup screens: payloads of the agenda reorder with a version
// check, invitations reissued per site, the printable invitation sheet and the
// short links (`/l/<code>`) printed on it. Browser-safe: zod only.
import { z } from 'zod';
import { AgendaReorderReq, BaseVersion, Id } from './control-model.js';

/** New order of every item, refused when someone else edited the agenda since `baseVersion`. */
export const AgendaReorderEditReq = AgendaReorderReq.extend({ baseVersion: BaseVersion.optional() });

/** Roles that get one link per site. */
export const SiteInviteRole = z.enum(['technician', 'participant', 'viewer']);
export type SiteInviteRole = z.infer<typeof SiteInviteRole>;

/** Revokes a site's live links of that role and issues a new one (token and short code returned once). */
export const InvitationReissueReq = z.strictObject({
  site: Id,
  role: SiteInviteRole,
  ttlHours: z.number().int().min(1).max(24 * 365).default(24 * 14),
});

/** The printable sheet: one card per site holding a live link of `role` (optionally only a subtree). */
export const InvitationSheetQuery = z.object({
  /** Address printed on the cards: the control service as people reach it (the organizer page's origin). */
  origin: z.url({ protocol: /^https?$/, hostname: z.regexes.hostname }).max(200),
  role: SiteInviteRole.default('technician'),
  /** Only this site and the sites below it (e.g. a district and its communes); absent = every site. */
  under: Id.optional(),
});

/**
 * Short codes: 8 characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown as
 * `abcd-efgh`; typed in any case, with or without the dash.
 */
export const SHORT_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const SHORT_LENGTH = 8;
export const ShortCode = z.string().trim().toLowerCase().transform((s) => s.replace(/[-\s]/g, ''))
  .pipe(z.string().regex(new RegExp(`^[${SHORT_ALPHABET}]{${SHORT_LENGTH}}$`), `code: ${SHORT_LENGTH} letters or digits`));
/** Path of `GET /l/:code` (on the control service, outside /api). */
export const ShortParams = z.object({ code: ShortCode });
/** abcdefgh → abcd-efgh */
export const showShort = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;
