// The phases a hall or a publisher goes through, and what a person in the
// hall reads for each: Vietnamese first, English second, never a stack trace.

export type Phase =
  | 'connecting' // first socket connect
  | 'waiting' // joined, but no programme to show yet
  | 'playing' // programme consumed and flowing
  | 'publishing' // publisher: camera/mic going up
  | 'reconnecting' // socket or ICE lost; coming back by itself
  | 'stopped' // publisher: stopped by the operator
  | 'no-device' // publisher: camera/microphone not available or refused
  | 'unauthorized' // the link's token was refused
  | 'foreign-link'; // the link names a server that is not this deployment's (never contacted)

export interface StatusText {
  vi: string;
  en: string;
}

export const STATUS: Record<Phase, StatusText> = {
  connecting: { vi: 'Đang kết nối tới điểm cầu…', en: 'Connecting…' },
  waiting: { vi: 'Đang chờ tín hiệu hội nghị…', en: 'Waiting for the conference signal…' },
  playing: { vi: 'Đang phát hội nghị', en: 'Conference on air' },
  publishing: { vi: 'Đang phát tín hiệu lên hội nghị', en: 'Sending to the conference' },
  reconnecting: { vi: 'Mất kết nối, đang tự kết nối lại…', en: 'Connection lost, reconnecting…' },
  stopped: { vi: 'Đã dừng phát', en: 'Sending stopped' },
  'no-device': {
    vi: 'Không mở được camera hoặc micrô. Vui lòng kiểm tra thiết bị và cho phép truy cập.',
    en: 'Camera or microphone unavailable. Please check the devices and allow access.',
  },
  unauthorized: {
    vi: 'Đường dẫn không hợp lệ hoặc đã hết hạn. Vui lòng liên hệ kỹ thuật viên.',
    en: 'This link is invalid or has expired. Please contact the technician.',
  },
  'foreign-link': {
    vi: 'Đường dẫn này trỏ tới một máy chủ không thuộc hệ thống hội nghị nên không được mở. Vui lòng xin Ban tổ chức đường dẫn đúng.',
    en: 'This link points to a server outside the conference system, so it was not opened. Please ask the organisers for the right link.',
  },
};

/** Renders a phase into an element as two lines (vi, en). */
export function renderStatus(el: HTMLElement, phase: Phase): void {
  const t = STATUS[phase];
  el.dataset.phase = phase;
  el.replaceChildren(line(t.vi, 'vi'), line(t.en, 'en'));
}

function line(text: string, lang: string): HTMLElement {
  const span = document.createElement('span');
  span.lang = lang;
  span.textContent = text;
  return span;
}
