// Live mediasoup objects of this process, counted from mediasoup's observer
// events (every worker, router, transport, producer and consumer reports its
// creation and its close). Shown in /health, so an operator or a test can see
// that ending a conference brought a node back to its idle baseline.
import * as mediasoup from 'mediasoup';
import type { NodeObjects } from '../signaling/media.js';

const live: NodeObjects = { routers: 0, transports: 0, producers: 0, consumers: 0, portsInUse: 0 };
let watching = false;

/** Starts counting (idempotent); call before the first worker is created. */
export function watchMediasoup(): void {
  if (watching) return;
  watching = true;
  mediasoup.observer.on('newworker', (worker) => {
    worker.observer.on('newrouter', (router) => {
      live.routers++;
      router.observer.once('close', () => { live.routers--; });
      router.observer.on('newtransport', (transport) => {
        // WebRTC transports share the worker's WebRtcServer port; pipe and plain transports hold their own
        const ownPort = transport.type === 'pipe' || transport.type === 'plain';
        live.transports++;
        if (ownPort) live.portsInUse++;
        transport.observer.once('close', () => {
          live.transports--;
          if (ownPort) live.portsInUse--;
        });
        transport.observer.on('newproducer', (p) => { live.producers++; p.observer.once('close', () => { live.producers--; }); });
        transport.observer.on('newconsumer', (c) => { live.consumers++; c.observer.once('close', () => { live.consumers--; }); });
      });
    });
  });
}

/** A copy of the current counts. */
export function census(): NodeObjects {
  return { ...live };
}
