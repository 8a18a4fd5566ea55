// QR code of a link (an invitation, a check-in page), drawn as inline SVG.
import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { html } from './html.js';
import { T } from './i18n.js';

export function QrCode({ text, size = 180 }: { text: string; size?: number }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    let live = true;
    QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      .then((s) => { if (live) setSvg(s); })
      .catch(() => { if (live) setSvg(''); });
    return () => { live = false; };
  }, [text]);
  return html`<div class="qr" role="img" aria-label=${T('Mã QR của đường liên kết', 'QR code of the link')}
    style=${{ width: `${size}px`, height: `${size}px` }} dangerouslySetInnerHTML=${{ __html: svg }}></div>`;
}
