// A hall screen in miniature: the hall overlay's own maket (MaketView, same
// styles) drawn in a 1920×1080 frame and scaled down, so the styles' vh/vw
// units work out exactly as on the hall's screen.
import { useEffect, useRef } from 'preact/hooks';
import { html, render } from './html.js';
import { HALL_CSS } from './hall-overlay-css.js';
import { MaketView, type MaketProps } from './hall-overlay.js';
import { T } from './i18n.js';

const W = 1920;
const H = 1080;

export function HallPreview({ width, siteName, clock, ...maket }: Omit<MaketProps, 'corner'> & { width: number; siteName: string; clock: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    const doc = frame.current?.contentDocument;
    if (!doc) return;
    if (!doc.getElementById('overlay')) {
      doc.open();
      doc.write(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>${HALL_CSS}
        html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
        #overlay { position: fixed; inset: 0; pointer-events: none; }</style></head><body><div id="overlay"></div></body></html>`);
      doc.close();
    }
    const corner = html`<div class="dc-corner" data-testid="hall-site"><span class="dc-site">${siteName}</span><span class="dc-clock">${clock}</span></div>`;
    render(html`<${MaketView} ...${maket} corner=${corner} />`, doc.getElementById('overlay')!);
  });
  const scale = width / W;
  return html`<div class="hall-preview" style=${{ width: `${width}px`, height: `${Math.round(H * scale)}px`, overflow: 'hidden', borderRadius: '6px', boxShadow: '0 1px 4px rgba(0,0,0,.3)' }}>
    <iframe ref=${frame} width=${W} height=${H} data-testid="hall-preview" title=${T('Xem trước màn hình hội trường', 'Hall screen preview')}
      style=${{ border: 0, transform: `scale(${scale})`, transformOrigin: '0 0', pointerEvents: 'none' }} tabIndex=${-1}></iframe>
  </div>`;
}
