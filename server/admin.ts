// `./diemcau admin …` on the control host: operator accounts, straight in Redis
// (the same REDIS_URL / REDIS_PREFIX as the control service; it need not run).
//
//   create-operator <username>   new operator; prints a one-time sign-in link
//   sign-in-link <username>      a new one-time link for an existing account (forgotten password)
//   list                         every account, its role, whether its password is set, whether it is locked
//   lock <username> / unlock <username>   an account that must not sign in (someone left the office)
//
// The link opens the operator page, where the person sets their own password;
// it works once and for 72 h. Its host is PUBLIC_URL (or --url), else the
// control service's own address (CONTROL_HOST, CONTROL_PORT).
import { Redis } from 'ioredis';
import { AppError } from '../signaling/common.js';
import { Username } from '../signaling/accounts.js';
import { resolveOptions } from './config.js';
import { makeKeys } from './keys.js';
import { createAccount, endAllSessions, getAccount, issueSetupCode, listAccounts, setLocked, type AcctCtx } from './store/accounts.js';

/** Who the lock record names when the host's command line locked an account. */
const CLI = 'may-chu';

const USAGE = `Cách dùng / usage:
  ./diemcau admin create-operator <tên-đăng-nhập>   tạo tài khoản quản trị, in liên kết đăng nhập lần đầu / create an operator, print a one-time sign-in link
  ./diemcau admin sign-in-link <tên-đăng-nhập>      cấp liên kết đăng nhập mới (quên mật khẩu) / new one-time link (forgotten password)
  ./diemcau admin list                              liệt kê tài khoản / list accounts
  ./diemcau admin lock <tên-đăng-nhập>              khoá tài khoản (kết thúc mọi phiên) / lock an account (its sessions end)
  ./diemcau admin unlock <tên-đăng-nhập>            mở khoá tài khoản / unlock an account
  [--url http://host:port]                          địa chỉ trang web trong liên kết / site address in the link (default PUBLIC_URL)`;

function fmtVn(ms: number): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

function baseUrl(args: string[]): string {
  const i = args.indexOf('--url');
  const url = (i >= 0 ? args[i + 1] : undefined) ?? process.env.PUBLIC_URL ?? `http://${process.env.CONTROL_HOST ?? '127.0.0.1'}:${process.env.CONTROL_PORT ?? '7100'}`;
  return url.replace(/\/+$/, '');
}

function username(arg: string | undefined): string {
  const r = Username.safeParse(arg?.trim().toLowerCase());
  if (!r.success) {
    console.error(`Tên đăng nhập chưa đúng: ${r.error.issues[0]?.message}. Hãy chọn tên khác, ví dụ "nguyenvana". / Wrong username; choose e.g. "nguyenvana".`);
    process.exit(2);
  }
  return r.data;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, name, ...rest] = argv;
  if (!cmd || !['create-operator', 'sign-in-link', 'list', 'lock', 'unlock'].includes(cmd)) { console.error(USAGE); return 2; }
  const opts = resolveOptions({
    tokenSecret: 'unused-by-admin',
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    ...(process.env.REDIS_PREFIX ? { redisPrefix: process.env.REDIS_PREFIX } : {}),
  });
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch {
    console.error(`Không kết nối được Redis (${opts.redisUrl}). Hãy khởi động Redis hoặc đặt REDIS_URL đúng rồi chạy lại. / Cannot reach Redis; start it or set REDIS_URL and run again.`);
    redis.disconnect();
    return 1;
  }
  const ctx: AcctCtx = { redis, keys: makeKeys(opts.redisPrefix), opts } as AcctCtx;
  try {
    if (cmd === 'list') {
      for (const a of await listAccounts(ctx)) {
        const lock = a.lockedAt ? `\tđã khoá lúc ${fmtVn(a.lockedAt)} bởi ${a.lockedBy ?? '?'} / locked` : '';
        console.log(`${a.username}\t${a.role === 'operator' ? 'quản trị / operator' : 'tổ chức / organizer'}\t${a.hash ? 'đã đặt mật khẩu / password set' : 'chưa đăng nhập lần đầu / not signed in yet'}${lock}`);
      }
      return 0;
    }
    const u = username(name);
    if (cmd === 'lock' || cmd === 'unlock') {
      // the host's own command may unlock the last operator; locking still keeps one unlocked
      const { jtis } = await setLocked(ctx, u, cmd === 'lock', CLI);
      console.log(cmd === 'lock'
        ? `Đã khoá tài khoản "${u}"; mọi phiên đăng nhập đã kết thúc (${jtis.length} mã ban tổ chức bị thu hồi). / Account "${u}" locked; its sessions ended.`
        : `Đã mở khoá tài khoản "${u}". / Account "${u}" unlocked.`);
      return 0;
    }
    if (cmd === 'create-operator') {
      await createAccount(ctx, u, 'operator');
      console.log(`Đã tạo tài khoản quản trị "${u}". / Operator "${u}" created.`);
    } else {
      const a = await getAccount(ctx, u);
      if (!a) {
        console.error(`Chưa có tài khoản "${u}". Hãy kiểm tra tên (./diemcau admin list) hoặc tạo mới bằng create-operator. / No account "${u}"; check the name or create it.`);
        return 1;
      }
      if (a.lockedAt) {
        console.error(`Tài khoản "${u}" đang bị khoá; hãy mở khoá trước (./diemcau admin unlock ${u}) rồi cấp liên kết. / The account is locked; unlock it first.`);
        return 1;
      }
      // a forgotten password: sessions end now, the new password is set through the link
      await endAllSessions(ctx, u);
    }
    const link = await issueSetupCode(ctx, u);
    console.log(`Liên kết đăng nhập lần đầu — mở một lần để đặt mật khẩu, hết hạn lúc ${fmtVn(link.expiresAt)} (giờ Việt Nam):`);
    console.log(`One-time sign-in link — open it once to set the password; it expires at ${fmtVn(link.expiresAt)} (Vietnam time):`);
    console.log(`${baseUrl(rest)}${link.path}`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) { console.error(e.message); return 1; }
    throw e;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

process.exitCode = await main(process.argv.slice(2));
