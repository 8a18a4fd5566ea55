// Prometheus metrics of one instance (own registry, so several instances can
// live in one process during tests).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function makeMetrics(defaults = true) {
  const registry = new Registry();
  /** Filled by the app: sets queue depth gauges when /metrics is scraped. */
  const hooks: {
    queues?: (g: Gauge<'queue' | 'state'>) => Promise<void>;
    sites?: (g: Gauge<'conf' | 'state'>) => Promise<void>;
  } = {};
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'dc_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'dc_http_requests_total', help: 'HTTP requests', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    httpDuration: new Histogram({ name: 'dc_http_request_seconds', help: 'HTTP request duration', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: [registry] }),
    socketEvents: new Counter({ name: 'dc_socket_events_total', help: 'Socket events handled', labelNames: ['event', 'ok'], registers: [registry] }),
    sockets: new Gauge({ name: 'dc_sockets', help: 'Open control sockets on this instance', labelNames: ['role'], registers: [registry] }),
    sitesOnline: new Gauge({ name: 'dc_site_connections', help: 'Site console/hall connections on this instance', registers: [registry] }),
    conferenceSites: new Gauge({
      name: 'dc_conference_sites', help: 'Sites per conference: total, online, reported a headcount (all instances)', labelNames: ['conf', 'state'] as const, registers: [registry],
      async collect() { await hooks.sites?.(this); },
    }),
    attendanceWrites: new Counter({ name: 'dc_attendance_writes_total', help: 'Headcount / expected writes', registers: [registry] }),
    pushes: new Counter({ name: 'dc_pushes_total', help: 'Coalesced pushes sent', labelNames: ['kind'], registers: [registry] }),
    hooks,
    queueDepth: new Gauge({
      name: 'dc_queue_jobs', help: 'bullmq jobs by queue and state', labelNames: ['queue', 'state'] as const, registers: [registry],
      async collect() { await hooks.queues?.(this); },
    }),
  };
}
export type Metrics = ReturnType<typeof makeMetrics>;
