// A socket lives no longer than its token: closed when the token expires, on
// the control service and on the media nodes alike. Node-only (timers).

/**
 * Closes `socket` at `expSeconds` (epoch seconds; a function is read again when the timer fires, so
 * a token refreshed on the open socket extends it); timers longer than Node's maximum are re-armed.
 */
export function closeAtExpiry(socket: { disconnect(close?: boolean): unknown; once(ev: 'disconnect', fn: () => void): unknown }, expSeconds: number | (() => number)): void {
  let t: NodeJS.Timeout;
  const exp = typeof expSeconds === 'function' ? expSeconds : () => expSeconds;
  const arm = () => {
    const left = exp() * 1000 - Date.now();
    if (left <= 0) { socket.disconnect(true); return; }
    t = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
    t.unref();
  };
  arm();
  socket.once('disconnect', () => clearTimeout(t));
}
