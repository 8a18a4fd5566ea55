// Control service entry point. Env: CONTROL_PORT (7100; 0 = free port),
// CONTROL_HOST (address to bind, 127.0.0.1 unless set),
// REDIS_URL, REDIS_PREFIX, REDIS_SENTINELS (host:port,…) + REDIS_SENTINEL_NAME, REDIS_WAIT_REPLICAS /
// REDIS_WAIT_TIMEOUT_MS, TOKEN_SECRET, DATA_DIR, RECORDING_MIN_FREE_BYTES, MEDIA_NODES (JSON id→url),
// LOG_LEVEL, DELIVERY_ATTEMPTS / DELIVERY_BACKOFF_MS / RECEIPT_TIMEOUT_MS,
// DELIVERY_LOCK_MS / DELIVERY_STALLED_MS, HEARTBEAT_TTL_MS, PUSH_INTERVAL_MS, PING_TIMEOUT_MS; flag --demo loads the Lạng Sơn 135-KH/TU conference if absent.
// Prints `control listening <url>` on stdout when ready.
import { readFileSync } from 'node:fs';
import { startControl } from './app.js';
import { parseSentinels } from './redis-connection.js';
import { KeyringFile } from '../signaling/token.js';

function mediaNodesFromEnv(): Record<string, string> {
  const raw = process.env.MEDIA_NODES;
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')) return v as Record<string, string>;
  } catch { /* reported below */ }
  console.error('MEDIA_NODES must be a JSON object of node id → URL');
  process.exit(2);
}

const secret = process.env.TOKEN_SECRET;
if (!secret) {
  console.error('TOKEN_SECRET is required');
  process.exit(2);
}
const port = process.env.CONTROL_PORT !== undefined ? Number(process.env.CONTROL_PORT) : 7100;
const handle = await startControl({
  port,
  ...(process.env.CONTROL_HOST ? { host: process.env.CONTROL_HOST } : {}),
  tokenSecret: secret,
  // TOKEN_KEYS_FILE: the Ed25519 signing keyring (JSON: kid, privateKey PEM, publicKeys of older kids)
  ...(process.env.TOKEN_KEYS_FILE ? { tokenKeys: KeyringFile.parse(JSON.parse(readFileSync(process.env.TOKEN_KEYS_FILE, 'utf8'))) } : {}),
  ...(process.env.NODE_SECRET ? { nodeSecret: process.env.NODE_SECRET } : {}),
  ...(process.env.METRICS_TOKEN ? { metricsToken: process.env.METRICS_TOKEN } : {}),
  ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  ...(process.env.REDIS_PREFIX ? { redisPrefix: process.env.REDIS_PREFIX } : {}),
  ...(process.env.REDIS_SENTINELS ? { redisSentinel: { sentinels: parseSentinels(process.env.REDIS_SENTINELS), name: process.env.REDIS_SENTINEL_NAME ?? 'diemcau' } } : {}),
  ...(process.env.REDIS_WAIT_REPLICAS ? { redisWaitReplicas: Number(process.env.REDIS_WAIT_REPLICAS) } : {}),
  ...(process.env.REDIS_WAIT_TIMEOUT_MS ? { redisWaitTimeoutMs: Number(process.env.REDIS_WAIT_TIMEOUT_MS) } : {}),
  ...(process.env.DATA_DIR ? { dataDir: process.env.DATA_DIR } : {}),
  ...(process.env.RECORDING_MIN_FREE_BYTES ? { recordingMinFreeBytes: Number(process.env.RECORDING_MIN_FREE_BYTES) } : {}),
  ...(process.env.LOG_LEVEL ? { logLevel: process.env.LOG_LEVEL } : {}),
  delivery: {
    ...(process.env.DELIVERY_ATTEMPTS ? {
      attempts: Number(process.env.DELIVERY_ATTEMPTS),
      backoffMs: Number(process.env.DELIVERY_BACKOFF_MS ?? 5000),
      receiptTimeoutMs: Number(process.env.RECEIPT_TIMEOUT_MS ?? 120_000),
    } : {}),
    ...(process.env.DELIVERY_LOCK_MS ? { lockMs: Number(process.env.DELIVERY_LOCK_MS) } : {}),
    ...(process.env.DELIVERY_STALLED_MS ? { stalledIntervalMs: Number(process.env.DELIVERY_STALLED_MS) } : {}),
  },
  ...(process.env.PUSH_INTERVAL_MS ? { pushIntervalMs: Number(process.env.PUSH_INTERVAL_MS) } : {}),
  ...(process.env.HEARTBEAT_TTL_MS ? { heartbeatTtlMs: Number(process.env.HEARTBEAT_TTL_MS) } : {}),
  ...(process.env.PING_TIMEOUT_MS ? { pingTimeoutMs: Number(process.env.PING_TIMEOUT_MS) } : {}),
  mediaNodes: mediaNodesFromEnv(),
  // TLS_CERT_FILE + TLS_KEY_FILE: serve HTTPS/wss (the demo's local CA, or the deployment's certificate)
  ...(process.env.TLS_CERT_FILE && process.env.TLS_KEY_FILE ? { tls: { cert: readFileSync(process.env.TLS_CERT_FILE), key: readFileSync(process.env.TLS_KEY_FILE) } } : {}),
  publicOrigins: (process.env.PUBLIC_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  demo: process.argv.includes('--demo'),
});
console.log(`control listening ${handle.url}`);

// A rejection nobody awaited (a library's fire-and-forget call while Redis is down) is logged, not
// fatal: the service keeps answering, with UNAVAILABLE where it needs Redis, and resumes by itself.
process.on('unhandledRejection', (err) => {
  console.error(`[control] unhandled rejection (kept running): ${String(err)}`);
});

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void handle.close().finally(() => process.exit(0));
  });
}
