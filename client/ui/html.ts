// One template tag for every app: htm bound to Preact's h (no JSX build step).
export { html } from 'htm/preact';
export { render } from 'preact';
