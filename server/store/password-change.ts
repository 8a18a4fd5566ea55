// The signed-in person changes their own password (the current one required),
// and an operator sends someone a fresh sign-in link. Either way the account's
// other sessions end, with the organizer tokens they had opened.
import { AppError } from '../../signaling/common.js';
import { checkPassword, endSession, getAccount, hashPassword, type AcctCtx, type SessionAuth } from './accounts.js';

export const WRONG_CURRENT = 'Mật khẩu hiện tại chưa đúng nên chưa đổi gì; hãy nhập lại mật khẩu bạn đang dùng. / The current password is wrong, nothing was changed; type the password you use now.';
export const SAME_PASSWORD = 'Mật khẩu mới phải khác mật khẩu hiện tại; hãy chọn mật khẩu khác. / The new password must differ from the current one; choose another.';

/** Ends every session of `username` but `keep`; answers the organizer tokens they had opened (now revoked). */
export async function endOtherSessions(ctx: AcctCtx, username: string, keep?: string): Promise<{ ended: number; jtis: string[] }> {
  const jtis: string[] = [];
  let ended = 0;
  for (const h of await ctx.redis.smembers(ctx.keys.sessionsOf(username))) {
    if (h === keep) continue;
    jtis.push(...(await endSession(ctx, h, username)));
    ended++;
  }
  return { ended, jtis };
}

/** null when `oldPassword` is wrong (the caller counts it as a failed sign-in). */
export async function changePassword(ctx: AcctCtx, s: SessionAuth, oldPassword: string, newPassword: string): Promise<{ ended: number; jtis: string[] } | null> {
  const a = await checkPassword(ctx, s.username, oldPassword);
  if (!a) return null;
  if (oldPassword.normalize('NFC') === newPassword.normalize('NFC')) throw new AppError('CONFLICT', SAME_PASSWORD);
  const hash = await hashPassword(newPassword);
  const now = await getAccount(ctx, s.username);
  if (!now) throw new AppError('UNAUTHORIZED', 'Tài khoản không còn; hãy đăng nhập lại. / The account no longer exists; sign in again.');
  await ctx.redis.set(ctx.keys.account(s.username), JSON.stringify({ ...now, hash, passwordSetAt: Date.now() }));
  return endOtherSessions(ctx, s.username, s.hash);
}
