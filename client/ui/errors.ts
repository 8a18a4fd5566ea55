// Every failure a person may see, as a sentence in their language that says
// what to do next. Developer detail goes to the console, never to the screen.
import type { ErrorCode } from '../../signaling/common.js';
import { tx, type Text2 } from './i18n.js';

export type UiCode = ErrorCode | 'NETWORK' | 'TIMEOUT' | 'DISCONNECTED' | 'NO_TOKEN' | 'HASH_MISMATCH' | 'NO_DEVICE' | 'NO_MEDIA_NODE';

/** An error with a code the UI knows how to explain; `detail` is for the console only. */
export class UiError extends Error {
  constructor(readonly code: UiCode, readonly detail = '', readonly status = 0) {
    super(`${code}: ${detail}`);
    this.name = 'UiError';
  }
}

const SENTENCES: Record<UiCode, Text2> = {
  BAD_REQUEST: { vi: 'Thông tin nhập chưa hợp lệ. Hãy kiểm tra lại các ô rồi thử lại.', en: 'Some of what you entered is not valid. Check the fields and try again.' },
  UNAUTHORIZED: { vi: 'Đường liên kết của bạn không còn hiệu lực. Hãy xin Ban tổ chức một đường liên kết mới.', en: 'Your link is no longer valid. Ask the organisers for a new link.' },
  FORBIDDEN: { vi: 'Đường liên kết này không có quyền làm việc đó. Hãy dùng đúng liên kết được cấp cho vai trò của bạn.', en: 'This link is not allowed to do that. Use the link issued for your role.' },
  NOT_FOUND: { vi: 'Không tìm thấy mục này; có thể nó vừa bị xoá. Hãy tải lại trang.', en: 'This item was not found; it may have just been removed. Reload the page.' },
  CONFLICT: { vi: 'Thao tác không thực hiện được ở trạng thái hiện tại (có thể người khác vừa thay đổi). Hãy xem lại rồi thử lại.', en: 'This cannot be done in the current state (someone may have just changed it). Check and try again.' },
  TOO_LARGE: { vi: 'Tệp quá lớn. Hãy nén hoặc chia nhỏ tệp rồi tải lên lại.', en: 'The file is too large. Compress or split it and upload again.' },
  UNSUPPORTED: { vi: 'Loại tệp hoặc thao tác này không được hỗ trợ.', en: 'This file type or action is not supported.' },
  RATE_LIMITED: { vi: 'Đăng nhập sai quá nhiều lần. Hãy chờ ít phút rồi thử lại.', en: 'Too many failed sign-ins. Wait a few minutes and try again.' },
  UNAVAILABLE: { vi: 'Máy chủ tạm thời chưa sẵn sàng. Hãy chờ một lát rồi thử lại.', en: 'The server is not ready right now. Wait a moment and try again.' },
  INTERNAL: { vi: 'Máy chủ gặp sự cố. Hãy thử lại; nếu vẫn lỗi, báo cho kỹ thuật viên trực.', en: 'The server ran into a problem. Try again; if it persists, tell the technician on duty.' },
  NETWORK: { vi: 'Không kết nối được với máy chủ. Hãy kiểm tra đường truyền; trang sẽ tự kết nối lại.', en: 'Cannot reach the server. Check the connection; the page will reconnect by itself.' },
  TIMEOUT: { vi: 'Máy chủ trả lời quá chậm. Hãy thử lại sau ít giây.', en: 'The server took too long to answer. Try again in a few seconds.' },
  DISCONNECTED: { vi: 'Đang mất kết nối với máy chủ. Hãy chờ trang tự kết nối lại rồi thử lại.', en: 'The connection to the server is down. Wait for the page to reconnect and try again.' },
  NO_TOKEN: { vi: 'Trang này cần mở từ đường liên kết mời do Ban tổ chức gửi.', en: 'Open this page from the invitation link the organisers sent you.' },
  HASH_MISMATCH: { vi: 'Tệp tải về bị hỏng (mã kiểm tra không khớp). Hãy bấm tải lại.', en: 'The downloaded file is damaged (checksum mismatch). Download it again.' },
  NO_DEVICE: { vi: 'Không mở được camera hoặc micrô. Hãy cắm thiết bị, cho phép trình duyệt dùng nó rồi thử lại.', en: 'Cannot open the camera or microphone. Plug it in, allow the browser to use it and try again.' },
  NO_MEDIA_NODE: { vi: 'Chưa biết máy chủ truyền hình của điểm cầu này. Hãy báo Ban tổ chức kiểm tra cấu hình.', en: 'The media server for this site is not known. Ask the organisers to check the setup.' },
};

/** Normalises anything thrown into a UiError (keeps the original for the console). */
export function toUiError(err: unknown): UiError {
  if (err instanceof UiError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in SENTENCES) return new UiError(code as UiCode, String((err as Error).message ?? ''));
  if (err instanceof TypeError) return new UiError('NETWORK', err.message);
  if (err instanceof DOMException && err.name === 'NotAllowedError') return new UiError('NO_DEVICE', err.message);
  if (err instanceof DOMException && err.name === 'NotFoundError') return new UiError('NO_DEVICE', err.message);
  return new UiError('INTERNAL', String((err as Error)?.message ?? err));
}

/** The sentence to show for an error, in the current language. */
export function humanError(err: unknown): string {
  const e = toUiError(err);
  if (e.detail) console.warn('[diemcau]', e.code, e.detail);
  return tx(SENTENCES[e.code]);
}
