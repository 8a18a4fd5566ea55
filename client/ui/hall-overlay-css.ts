// Styles of the hall overlay, scoped under .dc-ov so the hall page keeps its own.
// Units are vh/vw: the same look on a 1080p screen and on a projector.
export const HALL_CSS = `
.dc-ov { position: absolute; inset: 0; font-family: 'Times New Roman', 'Noto Serif', Georgia, serif; color: #fff; pointer-events: none; }
.dc-maket { background: radial-gradient(ellipse at center, #c62828 0%, #9b0f0f 60%, #6d0a0a 100%); display: flex; align-items: center; justify-content: center; }
.dc-maket::before { content: ''; position: absolute; inset: 2.2vh; border: .35vh solid #f9d56e; border-radius: .6vh; opacity: .85; }
.dc-maket-inner { text-align: center; max-width: 84vw; display: flex; flex-direction: column; gap: 1.3vh; }
.dc-line { font-size: 3vh; font-weight: 700; letter-spacing: .05em; color: #ffe9a8; text-transform: uppercase; line-height: 1.25; }
.dc-line.dc-big { font-size: 5.2vh; color: #ffd54f; text-shadow: 0 .3vh .6vh rgba(0,0,0,.35); }
.dc-star { font-size: 6vh; color: #ffd54f; line-height: 1; }
.dc-status { margin-top: 3vh; font-size: 3.2vh; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: #fff; background: rgba(0,0,0,.25); padding: 1vh 3vh; border-radius: 1vh; align-self: center; }
.dc-loading .dc-line { opacity: .9; }
.dc-corner { position: absolute; top: 3vh; right: 3vh; display: flex; flex-direction: column; align-items: flex-end; gap: .4vh; font-family: system-ui, 'Segoe UI', Roboto, sans-serif;
  background: rgba(0,0,0,.45); padding: 1vh 2vh; border-radius: 1vh; }
.dc-maket .dc-corner { background: rgba(0,0,0,.22); }
.dc-site { font-size: 2.6vh; font-weight: 700; }
.dc-clock { font-size: 2.1vh; opacity: .9; font-variant-numeric: tabular-nums; }
.dc-conn { font-size: 1.6vh; color: #f9c74f; }
.dc-third { position: absolute; left: 4vw; right: 4vw; bottom: 5vh; display: flex; align-items: stretch; font-family: system-ui, 'Segoe UI', Roboto, sans-serif;
  background: linear-gradient(90deg, rgba(155,15,15,.94), rgba(155,15,15,.82)); border-left: 1vh solid #ffd54f; border-radius: .6vh; box-shadow: 0 .8vh 3vh rgba(0,0,0,.45); }
.dc-num { font-size: 6vh; font-weight: 800; color: #ffd54f; padding: 1.4vh 2.6vh; display: flex; align-items: center; border-right: .2vh solid rgba(255,213,79,.5); }
.dc-text { padding: 1.6vh 2.6vh; min-width: 0; }
.dc-title { font-size: 3.6vh; font-weight: 700; line-height: 1.2; }
.dc-presenter { font-size: 2.6vh; margin-top: .6vh; color: #ffe9a8; }
.dc-floor { position: absolute; top: 3vh; left: 50%; transform: translateX(-50%); white-space: nowrap; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; font-size: 2.6vh;
  background: #ffd54f; color: #5a0000; padding: 1vh 2vh; border-radius: 1vh; box-shadow: 0 .5vh 2vh rgba(0,0,0,.4); }
`;
