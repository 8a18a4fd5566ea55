// Pre-flight check before the day: camera, microphone (level meter), speaker
// (a test tone the technician confirms) and the link test to the media node,
// whose figures are recorded as the site's rehearsal result.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Signal } from '@preact/signals';
import { ControlEvents } from '../../../signaling/control.js';
import { html } from '../html.js';
import { T } from '../i18n.js';
import { fmtDateTime } from '../format.js';
import { mediaTokensOf } from '../media-tokens.js';
import { Panel, Progress } from '../components.js';
import { act, notify } from '../notices.js';
import { humanError, UiError } from '../errors.js';
import { runLinkTest, syntheticVideo, PASS, type LinkFigures, type LinkTestResult } from '../link-test.js';
import type { AppSession } from '../app.js';

type Check = 'unknown' | 'ok' | 'fail';

function Mark({ c }: { c: Check }) {
  return c === 'ok' ? html`<span class="check-ok">✓ ${T('Đạt', 'OK')}</span>`
    : c === 'fail' ? html`<span class="check-fail">✗ ${T('Chưa đạt', 'Failed')}</span>` : html`<span class="muted">${T('Chưa kiểm tra', 'Not checked')}</span>`;
}

export function Preflight({ s, stream, nodeUrl }: { s: AppSession; stream: Signal<MediaStream | null>; nodeUrl: string | undefined }) {
  const [cam, setCam] = useState<Check>('unknown');
  const [mic, setMic] = useState<Check>('unknown');
  const [spk, setSpk] = useState<Check>('unknown');
  const [level, setLevel] = useState(0);
  const [test, setTest] = useState<{ frac: number; live: LinkFigures } | null>(null);
  const [result, setResult] = useState<LinkTestResult | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const rehearsal = s.client.store.rehearsals.value.get(s.site ?? '');

  useEffect(() => {
    if (video.current && stream.value) video.current.srcObject = stream.value;
  }, [stream.value]);

  const openDevices = async () => {
    try {
      const st = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 }, audio: true });
      stream.value = st;
      setCam(st.getVideoTracks().length ? 'ok' : 'fail');
      const a = st.getAudioTracks()[0];
      if (!a) { setMic('fail'); return; }
      const ctx = new AudioContext();
      const an = ctx.createAnalyser();
      an.fftSize = 512;
      ctx.createMediaStreamSource(new MediaStream([a])).connect(an);
      const buf = new Uint8Array(an.fftSize);
      let heard = false;
      const tick = () => {
        an.getByteTimeDomainData(buf);
        let peak = 0;
        for (const v of buf) peak = Math.max(peak, Math.abs(v - 128));
        const lv = Math.min(1, peak / 64);
        setLevel(lv);
        if (lv > 0.02 && !heard) { heard = true; setMic('ok'); }
        if (a.readyState === 'live') requestAnimationFrame(tick);
      };
      tick();
      setTimeout(() => { if (!heard) setMic('fail'); }, 5000);
    } catch (err) {
      setCam('fail'); setMic('fail');
      notify(humanError(err instanceof UiError ? err : new UiError('NO_DEVICE', String(err))), 'error');
    }
  };

  const beep = () => {
    const ctx = new AudioContext();
    const o = ctx.createOscillator(), g = ctx.createGain();
    o.frequency.value = 880; g.gain.value = 0.2;
    o.connect(g).connect(ctx.destination);
    o.start(); o.stop(ctx.currentTime + 1.2);
  };

  const linkTest = async () => {
    if (!nodeUrl) { notify(humanError(new UiError('NO_MEDIA_NODE')), 'error'); return; }
    const track = stream.value?.getVideoTracks()[0]?.clone() ?? syntheticVideo();
    setResult(null);
    setTest({ frac: 0, live: { bitrateKbps: 0 } });
    try {
      const r = await runLinkTest({ nodeUrl, token: (await mediaTokensOf(s)).current, site: s.site!, track, seconds: 10, onProgress: (frac, live) => setTest({ frac, live }) });
      setResult(r);
      await act(() => s.client.emit(ControlEvents.rehearsal, {
        site: s.site!, passed: r.passed, rttMs: r.rttMs, lossPct: r.lossPct, jitterMs: r.jitterMs, bitrateKbps: r.bitrateKbps,
        note: [`cam:${cam} mic:${mic} spk:${spk}`, ...r.reasons].join('; ').slice(0, 2000),
      }), T('Đã ghi kết quả thử đường truyền', 'Link test result recorded'));
    } catch (err) {
      notify(humanError(err), 'error');
    } finally {
      track.stop();
      setTest(null);
    }
  };
  const shown = result ?? (rehearsal ? { ...rehearsal, reasons: [] } : null);

  return html`<${Panel} title=${T('Kiểm tra trước hội nghị', 'Pre-flight check')} id="preflight">
    <video ref=${video} class="preview" autoplay playsinline muted aria-label=${T('Hình camera', 'Camera preview')}></video>
    <div class="btn-row" style=${{ margin: '6px 0' }}>
      <button class="btn" data-testid="open-devices" onClick=${openDevices}>${stream.value ? T('Mở lại thiết bị', 'Reopen devices') : T('Mở camera và micrô', 'Open camera and mic')}</button>
    </div>
    <table class="grid checks"><tbody>
      <tr><td>${T('Camera', 'Camera')}</td><td><${Mark} c=${cam} /></td><td></td></tr>
      <tr><td>${T('Micrô', 'Microphone')}</td><td><${Mark} c=${mic} /></td>
        <td><div class="meter" title=${T('Mức âm thanh', 'Level')}><span style=${{ width: `${Math.round(level * 100)}%` }}></span></div></td></tr>
      <tr><td>${T('Loa', 'Speaker')}</td><td><${Mark} c=${spk} /></td>
        <td><div class="btn-row"><button class="btn btn-small" onClick=${beep}>${T('Phát tiếng thử', 'Play test tone')}</button>
          <button class="btn btn-small" onClick=${() => setSpk('ok')}>${T('Nghe rõ', 'Heard it')}</button>
          <button class="btn btn-small" onClick=${() => setSpk('fail')}>${T('Không nghe', 'Not heard')}</button></div></td></tr>
    </tbody></table>
    <div class="btn-row" style=${{ margin: '8px 0' }}>
      <button class="btn btn-primary" data-testid="link-test" disabled=${!!test} onClick=${linkTest}>${T('Thử đường truyền tới máy chủ', 'Test the link to the media server')}</button>
      <small>${T(`Đạt khi ≥ ${PASS.minKbps} kbit/s, mất gói ≤ ${PASS.maxLossPct}%, RTT ≤ ${PASS.maxRttMs} ms`, `Passes at ≥ ${PASS.minKbps} kbit/s, loss ≤ ${PASS.maxLossPct}%, RTT ≤ ${PASS.maxRttMs} ms`)}</small>
    </div>
    ${test ? html`<${Progress} done=${Math.round(test.frac * 100)} total=${100}
      label=${`${T('Đang thử', 'Testing')}: ${Math.round(test.live.bitrateKbps)} kbit/s${test.live.rttMs !== undefined ? ` · RTT ${Math.round(test.live.rttMs)} ms` : ''}`} />` : ''}
    ${shown ? html`<div class="card" data-testid="link-result" data-passed=${String(shown.passed)} style=${{ marginTop: '6px' }}>
      <strong class=${shown.passed ? 'check-ok' : 'check-fail'}>${shown.passed ? T('Đường truyền đạt yêu cầu', 'The link passes') : T('Đường truyền chưa đạt — báo Ban tổ chức và kiểm tra lại mạng', 'The link fails — tell the organisers and check the network')}</strong>
      <div class="kv" style=${{ marginTop: '4px' }}>
        <dt>${T('Tốc độ', 'Bitrate')}</dt><dd>${shown.bitrateKbps ?? '—'} kbit/s</dd>
        <dt>${T('Mất gói', 'Loss')}</dt><dd>${shown.lossPct !== undefined ? `${shown.lossPct}%` : '—'}</dd>
        <dt>RTT</dt><dd>${shown.rttMs !== undefined ? `${Math.round(shown.rttMs)} ms` : '—'}</dd>
        <dt>Jitter</dt><dd>${shown.jitterMs !== undefined ? `${shown.jitterMs} ms` : '—'}</dd>
        ${'at' in shown ? html`<dt>${T('Lúc', 'At')}</dt><dd>${fmtDateTime((shown as { at: number }).at)}</dd>` : ''}
      </div></div>` : ''}
  </${Panel}>`;
}
